// SPDX-License-Identifier: Apache-2.0
#include "store/testing/fault_vfs.h"

#include <cstring>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include <sqlite3.h>

namespace mamori::store::testing {
namespace {

// What a write replaced, to undo it when the following sync fails.
struct Undo {
  sqlite3_int64 offset;
  std::string old_bytes;  // bytes that were there (may be shorter than the write)
};

struct FaultFile {
  sqlite3_file base;
  sqlite3_file* real;
  std::mutex* mu;
  std::vector<Undo>* undo;
  sqlite3_int64 synced_size;
};

sqlite3_vfs* g_real = nullptr;

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<FaultFile*>(f)->real; }
FaultFile* Fault(sqlite3_file* f) { return reinterpret_cast<FaultFile*>(f); }

int FileSize(sqlite3_file* real, sqlite3_int64* size) {
  return real->pMethods->xFileSize(real, size);
}

int Close(sqlite3_file* f) {
  FaultFile* ff = Fault(f);
  int rc = ff->real->pMethods->xClose(ff->real);
  delete ff->undo;
  delete ff->mu;
  return rc;
}

int Read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return Real(f)->pMethods->xRead(Real(f), buf, n, off);
}

int Write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  if (FaultVfs::Get().disk_full()) return SQLITE_FULL;
  FaultFile* ff = Fault(f);
  {
    std::lock_guard lock(*ff->mu);
    sqlite3_int64 size = 0;
    FileSize(ff->real, &size);
    Undo undo{off, {}};
    if (off < size) {
      sqlite3_int64 have = std::min<sqlite3_int64>(n, size - off);
      undo.old_bytes.resize(static_cast<size_t>(have));
      ff->real->pMethods->xRead(ff->real, undo.old_bytes.data(), static_cast<int>(have), off);
    }
    ff->undo->push_back(std::move(undo));
  }
  return ff->real->pMethods->xWrite(ff->real, buf, n, off);
}

int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  return Real(f)->pMethods->xTruncate(Real(f), size);
}

// Puts back what the unsynced writes replaced, newest first, and cuts the
// file to its size at the last successful sync.
void UndoUnsynced(FaultFile* ff) {
  std::lock_guard lock(*ff->mu);
  for (auto it = ff->undo->rbegin(); it != ff->undo->rend(); ++it) {
    if (!it->old_bytes.empty()) {
      ff->real->pMethods->xWrite(ff->real, it->old_bytes.data(),
                                 static_cast<int>(it->old_bytes.size()), it->offset);
    }
  }
  ff->undo->clear();
  ff->real->pMethods->xTruncate(ff->real, ff->synced_size);
}

int Sync(sqlite3_file* f, int flags) {
  FaultFile* ff = Fault(f);
  if (FaultVfs::Get().TakeSyncFailure()) {
    UndoUnsynced(ff);
    return SQLITE_IOERR_FSYNC;
  }
  int rc = ff->real->pMethods->xSync(ff->real, flags);
  if (rc == SQLITE_OK) {
    std::lock_guard lock(*ff->mu);
    ff->undo->clear();
    FileSize(ff->real, &ff->synced_size);
    FaultVfs::Get().CountSync();
  }
  return rc;
}

int Size(sqlite3_file* f, sqlite3_int64* size) { return FileSize(Real(f), size); }
int Lock(sqlite3_file* f, int l) { return Real(f)->pMethods->xLock(Real(f), l); }
int Unlock(sqlite3_file* f, int l) { return Real(f)->pMethods->xUnlock(Real(f), l); }
int CheckLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int DeviceChars(sqlite3_file* f) { return Real(f)->pMethods->xDeviceCharacteristics(Real(f)); }
int ShmMap(sqlite3_file* f, int pg, int sz, int extend, void volatile** p) {
  return Real(f)->pMethods->xShmMap(Real(f), pg, sz, extend, p);
}
int ShmLock(sqlite3_file* f, int off, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), off, n, flags);
}
void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShmUnmap(sqlite3_file* f, int del) { return Real(f)->pMethods->xShmUnmap(Real(f), del); }

const sqlite3_io_methods kMethods = {2,           Close,      Read,        Write,  Truncate,
                                     Sync,        Size,       Lock,        Unlock, CheckLock,
                                     FileControl, SectorSize, DeviceChars, ShmMap, ShmLock,
                                     ShmBarrier,  ShmUnmap,   nullptr,     nullptr};

int Open(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  FaultFile* ff = Fault(f);
  ff->real = reinterpret_cast<sqlite3_file*>(ff + 1);
  int rc = g_real->xOpen(g_real, name, ff->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    ff->base.pMethods = nullptr;
    return rc;
  }
  ff->mu = new std::mutex();
  ff->undo = new std::vector<Undo>();
  ff->synced_size = 0;
  FileSize(ff->real, &ff->synced_size);
  ff->base.pMethods = &kMethods;
  return SQLITE_OK;
}

int Delete(sqlite3_vfs*, const char* n, int s) { return g_real->xDelete(g_real, n, s); }
int Access(sqlite3_vfs*, const char* n, int f, int* o) { return g_real->xAccess(g_real, n, f, o); }
int FullPath(sqlite3_vfs*, const char* n, int sz, char* o) {
  return g_real->xFullPathname(g_real, n, sz, o);
}
void* DlOpen(sqlite3_vfs*, const char* n) { return g_real->xDlOpen(g_real, n); }
void DlError(sqlite3_vfs*, int n, char* m) { g_real->xDlError(g_real, n, m); }
void (*DlSym(sqlite3_vfs*, void* h, const char* s))(void) { return g_real->xDlSym(g_real, h, s); }
void DlClose(sqlite3_vfs*, void* h) { g_real->xDlClose(g_real, h); }
int Randomness(sqlite3_vfs*, int n, char* o) { return g_real->xRandomness(g_real, n, o); }
int Sleep(sqlite3_vfs*, int us) { return g_real->xSleep(g_real, us); }
int CurrentTime(sqlite3_vfs*, double* t) { return g_real->xCurrentTime(g_real, t); }
int LastError(sqlite3_vfs*, int n, char* m) { return g_real->xGetLastError(g_real, n, m); }
int CurrentTime64(sqlite3_vfs*, sqlite3_int64* t) { return g_real->xCurrentTimeInt64(g_real, t); }

void Register() {
  g_real = sqlite3_vfs_find(nullptr);
  static sqlite3_vfs vfs;
  std::memset(&vfs, 0, sizeof vfs);
  vfs.iVersion = 2;
  vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + g_real->szOsFile;
  vfs.mxPathname = g_real->mxPathname;
  vfs.zName = "mamori_fault";
  vfs.xOpen = Open;
  vfs.xDelete = Delete;
  vfs.xAccess = Access;
  vfs.xFullPathname = FullPath;
  vfs.xDlOpen = DlOpen;
  vfs.xDlError = DlError;
  vfs.xDlSym = DlSym;
  vfs.xDlClose = DlClose;
  vfs.xRandomness = Randomness;
  vfs.xSleep = Sleep;
  vfs.xCurrentTime = CurrentTime;
  vfs.xGetLastError = LastError;
  vfs.xCurrentTimeInt64 = CurrentTime64;
  sqlite3_vfs_register(&vfs, 0);
}

}  // namespace

FaultVfs& FaultVfs::Get() {
  static FaultVfs* vfs = [] {
    Register();
    return new FaultVfs();
  }();
  return *vfs;
}

bool FaultVfs::TakeSyncFailure() {
  int n = fail_syncs_.load();
  while (n > 0) {
    if (fail_syncs_.compare_exchange_weak(n, n - 1)) return true;
  }
  return false;
}

}  // namespace mamori::store::testing
