-- dump_tests.lua: print "file<TAB>test number<TAB>sql" for every test case of the given policy files (developer aid).
local out = {}
for _, path in ipairs(arg) do
  local env = setmetatable({}, { __index = _G })
  local p = load(io.open(path):read("a"), "@" .. path, "t", env)()
  for i, t in ipairs(p.tests) do
    io.write(path, "\t", i, "\t", (t.sql:gsub("\n", " ")), "\n")
  end
end
