-- POST /api/v1/meetings/{id}/registrations with a unique e-mail per request
-- (run id, thread number, counter) spread round-robin over the meeting ids
-- listed in the file named by LOAD_MEETINGS.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")

local meetings = common.lines(os.getenv("LOAD_MEETINGS"))
local run = os.getenv("LOAD_RUN") or "0"
local counter = 0

setup = common.numbered_setup()

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local n = thread_number or 1
  local meeting = meetings[(counter + n * 7919) % #meetings + 1]
  local body = string.format(
    '{"name":"Parent %d","email":"load-%s-%d-%d@example.org","guests":0}',
    counter, run, n, counter)
  return wrk.format("POST", "/api/v1/meetings/" .. meeting .. "/registrations", nil, body)
end

delay = common.pace()
done = common.done
