-- GET requests cycling over ready-made paths, one per line of the file named
-- by LOAD_PATHS (points or addresses of Paris, made by benches/load.sh).
-- Each thread starts at its own offset so that threads do not move in step.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")

local paths = common.lines(os.getenv("LOAD_PATHS"))
local requests = {}
local next_index = 1

setup = common.numbered_setup()

function init(args)
  -- Formatting once, up front, keeps wrk's own CPU use low: it shares the
  -- two cores with the server.
  for i, path in ipairs(paths) do
    requests[i] = wrk.format("GET", path)
  end
  next_index = ((thread_number or 1) * 7919) % #requests + 1
end

function request()
  local r = requests[next_index]
  next_index = next_index % #requests + 1
  return r
end

delay = common.pace()
done = common.done
