-- wrk script: POST random transfers between the accounts listed in ACCOUNTS_FILE.
-- BATCH=0 sends one transaction per request to /v1/transactions; BATCH=n sends n per request
-- to /v1/transactions/batch. Ids are random UUIDs, amounts random cents.
local accounts = {}
for line in io.lines(os.getenv("ACCOUNTS_FILE")) do accounts[#accounts + 1] = line end
local batch = tonumber(os.getenv("BATCH") or "0")
local token = os.getenv("TOKEN")

local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
  thread:set("thread_id", #threads)
end

function init(args)
  math.randomseed(os.time() * 1000 + (thread_id or 0))
end

local function uuid4()
  local template = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
  return (string.gsub(template, "[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end))
end

local function transfer()
  local a = math.random(1, #accounts)
  local b = math.random(1, #accounts - 1)
  if b >= a then b = b + 1 end
  local amount = string.format("%d.%02d", math.random(1, 500), math.random(0, 99))
  return string.format(
    '{"id":"%s","lines":[{"account_id":"%s","side":"debit","amount":"%s"},' ..
    '{"account_id":"%s","side":"credit","amount":"%s"}]}',
    uuid4(), accounts[a], amount, accounts[b], amount)
end

function request()
  local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}
  if batch == 0 then
    return wrk.format("POST", "/v1/transactions", headers, transfer())
  end
  local items = {}
  for i = 1, batch do items[i] = transfer() end
  return wrk.format("POST", "/v1/transactions/batch", headers,
    '{"transactions":[' .. table.concat(items, ",") .. ']}')
end

-- Count what was really created: 201s for single requests, the "created" count of batches.
created = 0
failed = 0
function response(status, headers, body)
  if batch == 0 then
    if status == 201 then created = created + 1 else failed = failed + 1 end
  elseif status == 200 then
    created = created + tonumber(string.match(body, '"created":(%d+)') or "0")
  else
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local total, errors = 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("created")
    errors = errors + thread:get("failed")
  end
  io.write(string.format("CREATED %d FAILED %d SECONDS %.3f P50 %.3f P99 %.3f\n",
    total, errors, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(99) / 1e3))
end
