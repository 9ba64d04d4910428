#!/bin/bash
# config.md, Extensibility: "Runtimes MAY log unknown properties but MUST otherwise ignore them."
# config.md, Process: "Runtimes MUST ignore consoleSize if terminal is false or unset."
# config.md, Annotations: "Runtimes MUST handle unknown annotation keys like any other unknown
#   property."
. "$(dirname "$0")/lib.sh"

cfg '. + {"org.example.unknownTop": {"a": [1, 2]}}
	| .process.unknownProcessField = true
	| .linux.unknownLinuxField = "x"
	| .process.terminal = false | .process.consoleSize = {height: 10, width: 40}
	| .annotations = {"org.example.whatever": "1", "com.example.other": "two"}'
in_ctr 'echo ran'
assert_eq ran "$OUT" "output of a container whose config has unknown properties"
exit 0
