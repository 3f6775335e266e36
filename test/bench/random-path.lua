-- wrk script: GET <prefix><random name from a file>, optional bearer token; prints a JSON summary
-- and the latency histogram (microseconds:count, as wrk counts them), so rounds can be merged.
-- With "zipf", names are drawn by Zipf's law (exponent 1), the file's first name the most asked.
-- usage: wrk ... -s random-path.lua URL -- NAMES_FILE PREFIX [TOKEN] [zipf]
-- the names as one string and where each starts: a table of a million strings made the generator's
-- own garbage collection stall it for up to 300 ms, which it counted as the server's latency
local text = ""
local starts = {}
local count = 0
local prefix = "/rdap/domain/"
local zipf = false
local gamma = 0.5772156649
local harmonic = 0

function init(args)
  local file = assert(io.open(args[1], "rb"))
  text = file:read("*a")
  file:close()
  if text:sub(-1) ~= "\n" then text = text .. "\n" end
  local at = 1
  while at <= #text do
    count = count + 1
    starts[count] = at
    at = text:find("\n", at, true) + 1
  end
  starts[count + 1] = #text + 1
  prefix = args[2] or prefix
  if args[3] and args[3] ~= "" then wrk.headers["Authorization"] = "Bearer " .. args[3] end
  zipf = args[4] == "zipf"
  harmonic = math.log(count) + gamma
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1000000))
end

-- a rank r comes up about 1 / (r * H(n)) of the time: the inverse of the harmonic numbers' log
local function pick()
  if not zipf then return math.random(count) end
  local rank = math.floor(math.exp(math.random() * harmonic - gamma))
  return math.min(math.max(rank, 1), count)
end

function request()
  local i = pick()
  return wrk.format("GET", prefix .. text:sub(starts[i], starts[i + 1] - 2))
end

function done(summary, latency, requests)
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"non2xx":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  local entries = {}
  for i = 1, #latency do
    local value, count = latency(i)
    entries[#entries + 1] = string.format('%d:%d', value, count)
  end
  io.write('WRK_HIST ', table.concat(entries, ','), '\n')
end
