-- wrk script: GET <prefix><random name from a file>, optional bearer token; prints a JSON summary
-- and the latency histogram (microseconds:count, as wrk counts them), so rounds can be merged.
-- usage: wrk ... -s random-path.lua URL -- NAMES_FILE PREFIX [TOKEN]
local names = {}
local prefix = "/rdap/domain/"

function init(args)
  for line in io.lines(args[1]) do names[#names + 1] = line end
  prefix = args[2] or prefix
  if args[3] and args[3] ~= "" then wrk.headers["Authorization"] = "Bearer " .. args[3] end
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1000000))
end

function request()
  return wrk.format("GET", prefix .. names[math.random(#names)])
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
