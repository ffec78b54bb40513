-- wrk script for bench/load.sh: POSTs one GraphQL request, whose JSON body is read from the
-- file named after `--`, and checks every response. Non-2xx statuses, bodies carrying
-- `"errors"` and bodies without a `"data"` object are counted apart from wrk's own socket
-- errors; done() prints them with the throughput and latency on one `vitrine-bench:` line for
-- load.sh to parse, plus the first failed response, if any.
--
--   wrk -t2 -c32 -d15s --latency -s bench/graphql.lua http://127.0.0.1:8080/graphql -- body.json

-- Every thread's Lua state, so that done() (which runs in the main state) can add up the
-- counters each thread kept.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local path = args[1]
  local file = assert(io.open(path or "", "rb"), "cannot read the request body file " .. tostring(path))
  wrk.method = "POST"
  wrk.body = file:read("*a")
  file:close()
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = "application/json"

  -- Per-thread counters; globals, because thread:get() only sees globals.
  non2xx = 0
  graphql_errors = 0
  no_data = 0
  first_failure = ""
end

function response(status, headers, body)
  local failed = true
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  elseif body:find('"errors":', 1, true) then
    graphql_errors = graphql_errors + 1
  elseif not body:find('"data":{', 1, true) then
    no_data = no_data + 1
  else
    failed = false
  end
  if failed and first_failure == "" then
    first_failure = "HTTP " .. status .. ": " .. body:sub(1, 1000)
  end
end

function done(summary, latency, requests)
  local totals = { non2xx = 0, graphql_errors = 0, no_data = 0 }
  local first = ""
  for _, thread in ipairs(threads) do
    for name in pairs(totals) do
      totals[name] = totals[name] + (thread:get(name) or 0)
    end
    if first == "" then
      first = thread:get("first_failure") or ""
    end
  end

  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    "vitrine-bench: rps=%.1f p50_ms=%.2f p99_ms=%.2f requests=%d non2xx=%d graphql_errors=%d"
      .. " no_data=%d connect=%d read=%d write=%d timeout=%d\n",
    seconds > 0 and summary.requests / seconds or 0,
    latency:percentile(50) / 1000,
    latency:percentile(99) / 1000,
    summary.requests,
    totals.non2xx,
    totals.graphql_errors,
    totals.no_data,
    errors.connect,
    errors.read,
    errors.write,
    errors.timeout
  ))
  if first ~= "" then
    io.write("vitrine-bench-first-failure: " .. (first:gsub("[\r\n]", " ")) .. "\n")
  end
end
