package coreutils

import (
	"reflect"
	"testing"
)

func TestFileParseFlags(t *testing.T) {
	spec := fileFlagSpec{bools: "rfv", withArg: "nC", number: true,
		long: map[string]string{"lines=": "n", "verbose": "v", "color?": "color", "recursive": "r", "reverse": "R"}}
	tests := []struct {
		args     []string
		keys     []string
		values   []string
		operands []string
		err      string
	}{
		{[]string{"-rf", "a"}, []string{"r", "f"}, []string{"", ""}, []string{"a"}, ""},
		{[]string{"a", "-v", "b"}, []string{"v"}, []string{""}, []string{"a", "b"}, ""},
		{[]string{"-n5", "-n", "6", "--lines=7", "--lines", "8"}, []string{"n", "n", "n", "n"}, []string{"5", "6", "7", "8"}, nil, ""},
		{[]string{"-rn3", "x"}, []string{"r", "n"}, []string{"", "3"}, []string{"x"}, ""},
		{[]string{"--", "-r", "--"}, nil, nil, []string{"-r", "--"}, ""},
		{[]string{"-", "-12"}, []string{"#"}, []string{"12"}, []string{"-"}, ""},
		{[]string{"--verb", "--color=always", "--color"}, []string{"v", "color", "color"}, []string{"", "always", ""}, nil, ""},
		{[]string{"-x"}, nil, nil, nil, "invalid option -- 'x'"},
		{[]string{"-n"}, nil, nil, nil, "option requires an argument -- 'n'"},
		{[]string{"--nope"}, nil, nil, nil, "unrecognized option '--nope'"},
		{[]string{"--re"}, nil, nil, nil, "option '--re' is ambiguous"},
		{[]string{"--verbose=1"}, nil, nil, nil, "option '--verbose' doesn't allow an argument"},
		{[]string{"--lines"}, nil, nil, nil, "option '--lines' requires an argument"},
	}
	for _, tt := range tests {
		f, err := fileParseFlags(spec, tt.args)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%v: error %v, want %q", tt.args, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", tt.args, err)
			continue
		}
		var keys, values []string
		for _, fl := range f.list {
			keys = append(keys, fl.key)
			values = append(values, fl.value)
		}
		if !reflect.DeepEqual(keys, tt.keys) || !reflect.DeepEqual(values, tt.values) || !reflect.DeepEqual(f.operands, tt.operands) {
			t.Errorf("%v: keys %q values %q operands %q", tt.args, keys, values, f.operands)
		}
	}
	f, _ := fileParseFlags(fileFlagSpec{bools: "i", stopAtOperand: true}, []string{"-i", "cmd", "-i"})
	if !reflect.DeepEqual(f.operands, []string{"cmd", "-i"}) {
		t.Errorf("stopAtOperand: %q", f.operands)
	}
}
