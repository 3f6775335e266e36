-- wrk script: GET <prefix><random name from a file>, optional bearer token; prints a JSON summary
-- and the latency histogram (microseconds:count, as wrk counts them), so rounds can be merged.
-- With "zipf", names are drawn by Zipf's law (exponent 1), the file's first name the most asked.
-- usage: wrk ... -s random-path.lua URL -- NAMES_FILE PREFIX [TOKEN] [zipf]
local names = {}
local prefix = "/rdap/domain/"
local zipf = false
local gamma = 0.5772156649
local harmonic = 0

function init(args)
  for line in io.lines(args[1]) do names[#names + 1] = line end
  prefix = args[2] or prefix
  if args[3] and args[3] ~= "" then wrk.headers["Authorization"] = "Bearer " .. args[3] end
  zipf = args[4] == "zipf"
  harmonic = math.log(#names) + gamma
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1000000))
end

-- a rank r comes up about 1 / (r * H(n)) of the time: the inverse of the harmonic numbers' log
local function pick()
  if not zipf then return math.random(#names) end
  local rank = math.floor(math.exp(math.random() * harmonic - gamma))
  return math.min(math.max(rank, 1), #names)
end

function request()
  return wrk.format("GET", prefix .. names[pick()])
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
