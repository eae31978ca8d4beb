-- wrk script (issue 4, bench/fhir_load): GET a Patient by id, the id drawn at random
-- from $FHIR_LOAD_IDS (one id per line, seeded before the run). The URL given to wrk is
-- the type endpoint, e.g.  wrk -s read_patient.lua https://127.0.0.1:PORT/fhir/Patient
local next_tid = 0

function setup(thread)
  next_tid = next_tid + 1
  thread:set("tid", next_tid)
end

local ids = {}
local prefix
local headers = { ["Accept"] = "application/fhir+json" }
-- The benchmark user's bearer token (run.sh logs it in); the peer gets none.
local token = os.getenv("FHIR_LOAD_TOKEN")
if token and #token > 0 then headers["Authorization"] = "Bearer " .. token end

function init(args)
  local path = os.getenv("FHIR_LOAD_IDS")
  local f = assert(io.open(path, "r"), "FHIR_LOAD_IDS must name the seeded id file")
  for line in f:lines() do
    if #line > 0 then ids[#ids + 1] = line end
  end
  f:close()
  assert(#ids > 0, "no ids in " .. path)
  prefix = wrk.path .. "/"
  math.randomseed(os.time() * 1000 + (tid or 0))
end

function request()
  return wrk.format("GET", prefix .. ids[math.random(#ids)], headers)
end
