-- timing.lua: time the whole library's check() over the classified test statements (TIMING=1 against_classifier.sh).
local real = dofile(os.getenv("FACTS"))
local function ro(t)
  if type(t) ~= "table" then return t end
  local r = {}
  for k, v in pairs(t) do r[k] = ro(v) end
  return setmetatable({}, { __index = r, __newindex = function() error("ro") end, __len = function() return #r end })
end
local pols, seen = {}, {}
for _, r in ipairs(real) do
  if not seen[r.path] then
    seen[r.path] = true
    local env = { ipairs = ipairs, pairs = pairs, type = type, tostring = tostring, tonumber = tonumber, string = string,
      table = table, math = math, utf8 = utf8, error = error, select = select }
    pols[#pols + 1] = load(io.open(r.path):read("a"), "@" .. r.path, "t", env)()
  end
end
local facts = {}
for i, r in ipairs(real) do
  local f = r.facts; f.environment = ({ "prod", "dev", "stage", "test" })[i % 4 + 1]
  f.time = { year = 2024, month = 3, day = 5, hour = 14, minute = 30 }
  facts[#facts + 1] = ro(f)
end
local N = 20
local samples = {}
for _, f in ipairs(facts) do
  local t0 = os.clock()
  for _ = 1, N do for j = 1, #pols do pols[j].check(f) end end
  samples[#samples + 1] = (os.clock() - t0) / N * 1e6
end
table.sort(samples)
print(("%d policies, %d statements: median %.2f us, p99 %.2f us per full-library evaluation"):format(#pols, #facts,
  samples[#samples // 2], samples[math.ceil(#samples * 0.99)]))
if os.getenv("PER_POLICY") then
  for j = 1, #pols do
    local s = {}
    for _, f in ipairs(facts) do
      local t0 = os.clock()
      for _ = 1, N do pols[j].check(f) end
      s[#s + 1] = (os.clock() - t0) / N * 1e6
    end
    table.sort(s)
    print(("  %-24s median %.2f us  p99 %.2f us"):format(pols[j].name, s[#s // 2], s[math.ceil(#s * 0.99)]))
  end
end
