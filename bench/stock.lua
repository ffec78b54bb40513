-- wrk script for bench/stock.sh: sends stock writes to /graphql and checks every answer.
--
--   wrk ... -s bench/stock.lua http://127.0.0.1:8080/graphql -- <mode> <skus file> <location id> <token> [rows]
--
-- mode `single`: each request is one POS sale or return (delta -1 or +1) of a random SKU, with
-- an idempotency key of its own. mode `bulk`: each request moves `rows` SKUs by +1 or -1
-- (alternately, so stock stays level), without a key. done() prints one `vitrine-stock:` line
-- with requests/s, latency and the count of failed answers (non-2xx, GraphQL errors or
-- userErrors), plus the first failed answer.

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_id", thread_count)
  table.insert(threads, thread)
end

local function quote(s)
  return '"' .. s .. '"'
end

local MUTATION = "mutation($i: InventoryAdjustQuantitiesInput!, $k: String) "
  .. "{ inventoryAdjustQuantities(input: $i, idempotencyKey: $k) { userErrors { code message } } }"

local function body(changes, key)
  local k = key and quote(key) or "null"
  return '{"query":' .. quote(MUTATION) .. ',"variables":{"i":{"reason":"bench","changes":['
    .. table.concat(changes, ",") .. ']},"k":' .. k .. '}}'
end

local function change(sku, location, delta)
  return '{"sku":' .. quote(sku) .. ',"locationId":' .. quote(location) .. ',"delta":' .. delta .. '}'
end

function init(args)
  mode = args[1]
  location = args[3]
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. args[4]
  skus = {}
  for line in io.lines(args[2]) do
    if line ~= "" then
      table.insert(skus, line)
    end
  end
  assert(#skus > 0, "no SKUs in " .. tostring(args[2]))
  math.randomseed(os.time() * 100 + (thread_id or 0))
  counter = 0
  failures = 0
  first_failure = ""
  if mode == "bulk" then
    local rows = tonumber(args[5] or "1000")
    local up, down = {}, {}
    for i = 1, math.min(rows, #skus) do
      table.insert(up, change(skus[i], location, 1))
      table.insert(down, change(skus[i], location, -1))
    end
    bodies = { body(up, nil), body(down, nil) }
  end
end

function request()
  counter = counter + 1
  local payload
  if mode == "bulk" then
    payload = bodies[counter % 2 + 1]
  else
    local sku = skus[math.random(#skus)]
    local delta = (counter % 2 == 0) and 1 or -1
    payload = body({ change(sku, location, delta) }, "bench-" .. thread_id .. "-" .. counter .. "-" .. os.time())
  end
  return wrk.format(nil, nil, nil, payload)
end

function response(status, headers, body)
  if status ~= 200 or body:find('"errors"', 1, true) or body:find('"code"', 1, true) then
    failures = failures + 1
    if first_failure == "" then
      first_failure = status .. " " .. body:sub(1, 500)
    end
  end
end

function done(summary, latency, requests)
  local failed, first = 0, ""
  for _, t in ipairs(threads) do
    failed = failed + t:get("failures")
    if first == "" then
      first = t:get("first_failure")
    end
  end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "vitrine-stock: rps=%.1f p50_ms=%.2f p99_ms=%.2f requests=%d failed=%d socket_errors=%d\n",
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, failed,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  if first ~= "" then
    io.write("first failed answer: " .. first .. "\n")
  end
end
