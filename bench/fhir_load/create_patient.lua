-- wrk script (issue 4, bench/fhir_load): POST a small Patient per request, with an
-- identifier that differs per request (thread number + counter), so no two bodies
-- are the same. The URL given to wrk is the type endpoint, e.g.
--   wrk -s create_patient.lua https://127.0.0.1:PORT/fhir/Patient
-- At the end it appends "bodies <n> bytes <total>" to $FHIR_LOAD_STATS (if set):
-- the raw JSON written, for the database-size ratio.
local threads = {}
local next_tid = 0

function setup(thread)
  next_tid = next_tid + 1
  thread:set("tid", next_tid)
  table.insert(threads, thread)
end

local counter = 0
bodies = 0  -- globals: done() reads them with thread:get
bytes = 0
local headers = { ["Content-Type"] = "application/fhir+json", ["Accept"] = "application/fhir+json" }
-- The benchmark user's bearer token (run.sh logs it in); the peer gets none.
local token = os.getenv("FHIR_LOAD_TOKEN")
if token and #token > 0 then headers["Authorization"] = "Bearer " .. token end
local run = os.getenv("FHIR_LOAD_RUN") or tostring(os.time())

function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0))
end

local families = { "Yamada", "Suzuki", "Tanaka", "Watanabe", "Ito", "Nakamura", "Kobayashi", "Kato" }
local givens = { "Taro", "Hanako", "Ichiro", "Yuki", "Sakura", "Kenji", "Aoi", "Haruto" }

function request()
  counter = counter + 1
  local n = counter
  local body = string.format(
    '{"resourceType":"Patient",' ..
    '"identifier":[{"system":"urn:oid:1.2.392.100495.20.3.51.11311234567","value":"%s-%d-%d"}],' ..
    '"active":true,' ..
    '"name":[{"use":"official","family":"%s","given":["%s"]}],' ..
    '"telecom":[{"system":"phone","value":"090-%04d-%04d","use":"mobile"}],' ..
    '"gender":"%s","birthDate":"%04d-%02d-%02d",' ..
    '"address":[{"use":"home","postalCode":"100-0001","city":"Chiyoda","state":"Tokyo","country":"JP"}]}',
    run, tid, n,
    families[(n % #families) + 1], givens[(n % #givens) + 1],
    n % 10000, (n * 7) % 10000,
    (n % 2 == 0) and "female" or "male", 1930 + (n % 90), 1 + (n % 12), 1 + (n % 28))
  bodies = bodies + 1
  bytes = bytes + #body
  return wrk.format("POST", nil, headers, body)
end

function done(summary, latency, requests)
  local path = os.getenv("FHIR_LOAD_STATS")
  if not path then return end
  local total_bodies, total_bytes = 0, 0
  for _, t in ipairs(threads) do
    total_bodies = total_bodies + (t:get("bodies") or 0)
    total_bytes = total_bytes + (t:get("bytes") or 0)
  end
  local f = io.open(path, "a")
  if f then
    f:write(string.format("bodies %d bytes %d\n", total_bodies, total_bytes))
    f:close()
  end
end
