#!/usr/bin/env python3
"""Source rules that the compiler cannot check (STYLE.md rules 2, 13, 14).

  1. No file outside src/<m>/ includes "<m>/internal/...".
  2. Files in src/<m>/ include only <m> itself and the modules named in the
     DEPS of mamori_module(NAME <m> ...) in src/<m>/CMakeLists.txt. This stands
     in for Bazel's layering_check.
  3. Outside src/core, no code reads a clock directly (::now(), time(),
     gettimeofday, clock_gettime): time comes from core::Clock.
  4. Outside src/core, no code draws randomness directly (rand(),
     std::random_device, RAND_bytes): it comes from core::Random.

Usage: check_sources.py REPO_ROOT   (exit 1 and one line per violation)
"""
import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/([^"]+)"', re.M)
MODULE_CALL = re.compile(r'mamori_module\s*\((.*?)\)', re.S)
CLOCK = re.compile(r'(::now\s*\(|\bnow\s*\(\s*\)|\btime\s*\(\s*(nullptr|NULL|0)\s*\)|'
                   r'\bgettimeofday\s*\(|\bclock_gettime\s*\()')
RANDOM = re.compile(r'(\brand\s*\(\s*\)|\bsrand\s*\(|random_device|\bRAND_bytes\s*\(|'
                    r'\bRAND_priv_bytes\s*\(|\bgetrandom\s*\()')
SOURCE_SUFFIXES = {'.h', '.cc'}


def module_deps(src):
    deps = {}
    for cmake in src.glob('*/CMakeLists.txt'):
        for call in MODULE_CALL.findall(cmake.read_text()):
            words = call.split()
            if 'NAME' not in words:
                continue
            name = words[words.index('NAME') + 1]
            listed, section = set(), None
            for w in words:
                if w in ('NAME', 'SRCS', 'DEPS', 'LIBS'):
                    section = w
                elif section == 'DEPS':
                    listed.add(w)
            deps[name] = listed
    return deps


def strip_comments(text):
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
    return re.sub(r'//[^\n]*', '', text)


def check(root):
    src = root / 'src'
    deps = module_deps(src)
    modules = {p.name for p in src.iterdir() if p.is_dir()}
    problems = []
    for path in sorted(src.rglob('*')):
        if path.suffix not in SOURCE_SUFFIXES:
            continue
        rel = path.relative_to(src)
        owner = rel.parts[0]
        text = path.read_text(errors='replace')
        for included, rest in INCLUDE.findall(text):
            if included not in modules or included == owner:
                continue
            if rest.startswith('internal/'):
                problems.append(f'{rel}: includes {included}/{rest}, private to {included}')
            elif owner in deps and included not in deps[owner]:
                problems.append(f'{rel}: includes {included}/{rest} but {owner} does not '
                                f'list {included} in its DEPS')
        if owner == 'core':
            continue
        code = strip_comments(text)
        for n, line in enumerate(code.splitlines(), 1):
            if CLOCK.search(line):
                problems.append(f'{rel}:{n}: reads a clock directly; use core::Clock')
            if RANDOM.search(line):
                problems.append(f'{rel}:{n}: draws randomness directly; use core::Random')
    return problems


def main():
    if len(sys.argv) != 2:
        print('usage: check_sources.py REPO_ROOT', file=sys.stderr)
        return 2
    problems = check(pathlib.Path(sys.argv[1]))
    for p in problems:
        print(p)
    print(f'check_sources: {len(problems)} problem(s)')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
