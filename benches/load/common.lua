-- Shared by the wrk scripts of benches/load.sh: reading data files and one
-- machine-readable result line that load.sh parses.
local common = {}

-- The non-empty lines of `path`; fails loudly on a missing file.
function common.lines(path)
  local file = assert(io.open(path, "r"), "cannot read " .. tostring(path))
  local out = {}
  for line in file:lines() do
    if line ~= "" then out[#out + 1] = line end
  end
  file:close()
  assert(#out > 0, path .. " is empty")
  return out
end

-- A setup() for wrk, which calls it once per thread in its main state: gives
-- each thread a number, 1, 2, ..., as `thread_number` in the thread's state.
function common.numbered_setup()
  local count = 0
  return function(thread)
    count = count + 1
    thread:set("thread_number", count)
  end
end

-- wrk calls done() once, in its main state, after the run.
function common.done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "LOAD_RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.status, e.connect + e.read + e.write + e.timeout))
end

-- An optional fixed pause, in milliseconds, before each request of a
-- connection (LOAD_DELAY_MS): paces wrk below its maximum rate.
function common.pace()
  local ms = tonumber(os.getenv("LOAD_DELAY_MS") or "")
  if ms and ms > 0 then
    return function() return ms end
  end
  return nil
end

return common
