# Wrong-type cases from a config that sets every field hutch models: for each path
# (first element of every array), one line "PATH<TAB>VALUE<TAB>WHERE": PATH the JSON path
# (a jq path array), VALUE a value of another JSON type, WHERE the path as hutch names it
# in its error ("mounts[0].options", "linux.sysctl[\"k\"]"; an element of an array of
# scalars is reported as the array).
def maps: [["annotations"], ["linux", "sysctl"], ["linux", "netDevices"],
           ["linux", "timeOffsets"], ["linux", "resources", "rdma"],
           ["linux", "resources", "unified"]];
def wrong: if type == "string" then 7
           elif type == "number" then "7"
           elif type == "boolean" then "true"
           elif type == "array" then {"x": 1}
           elif type == "object" then [1]
           else empty end;
def render($p; $doc):
  reduce range(0; $p | length) as $i ({s: "", scalar_elem: false};
    ($p[$i]) as $k | ($p[0:$i]) as $up |
    if ($k | type) == "number" then
      if ($doc | getpath($up + [$k]) | type) == "object" or
         ($doc | getpath($up + [$k]) | type) == "array"
      then .s += "[\($k)]" else .scalar_elem = true end
    elif (maps | index([$up])) != null then .s += "[\"\($k)\"]"
    elif .s == "" then .s = $k
    else .s += ".\($k)" end)
  | .s;
. as $doc
| del(.futureTopLevel, .solaris, .windows, .linux.futureLinuxField)
| [paths] | .[]
| select(all(.[]; type != "number" or . == 0))
| select(all(.[]; type != "string" or (startswith("future") | not)))
| . as $p
| ($doc | getpath($p)) as $v
| ($v | wrong) as $w
| "\($p | tojson)\t\($w | tojson)\t\(render($p; $doc))"
