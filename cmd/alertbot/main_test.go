package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// runCLI runs the command line with args and stdin, from the repository
// root so that the default config is rules.example.yaml.
func runCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	t.Chdir("../..")
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), code
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"frobnicate"}, {"match"}, {"check", "-nope"}, {"check", "extra"}} {
		_, stderr, code := runCLI(t, "", args...)
		if code != exitUsage {
			t.Errorf("alertbot %v: exit %d, want %d (stderr %q)", args, code, exitUsage, stderr)
		}
	}
}

func TestVersion(t *testing.T) {
	stdout, _, code := runCLI(t, "", "version")
	if code != exitOK || !strings.HasPrefix(stdout, "alertbot ") {
		t.Errorf("version: exit %d, output %q", code, stdout)
	}
}

func TestCheckExampleConfig(t *testing.T) {
	stdout, stderr, code := runCLI(t, "", "check")
	if code != exitOK {
		t.Fatalf("check: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "rules.example.yaml: ok:") {
		t.Errorf("check output %q", stdout)
	}
}

// TestCheckFailingExample: a rule whose example fails makes check exit 1,
// naming the rule and the example.
func TestCheckFailingExample(t *testing.T) {
	config := writeFile(t, "bad.yaml", `rulesets:
  - id: diplomacy
    title: Diplomacy
    rules:
      - id: diplomat-summoned
        title: Diplomat summoned
        severity: high
        query: summon* NEAR/3 ambassador
        examples:
          match: ["Japan called in the Chinese envoy"]
`)
	_, stderr, code := runCLI(t, "", "check", "-config", config)
	if code != exitFail {
		t.Errorf("exit %d, want %d", code, exitFail)
	}
	want := config + `:10:19: rulesets[0].rules[0].examples.match[0]: rule diplomat-summoned does not match example "Japan called in the Chinese envoy"`
	if strings.TrimSpace(stderr) != want {
		t.Errorf("stderr\n got %q\nwant %q", stderr, want)
	}
}

func TestCheckBadQuery(t *testing.T) {
	config := writeFile(t, "bad.yaml", `rulesets:
  - id: d
    title: D
    rules:
      - id: r
        title: R
        severity: high
        query: '"unterminated phrase'
      - id: s
        title: S
        severity: high
        query: 'a* b'
`)
	_, stderr, code := runCLI(t, "", "check", "-config", config)
	if code != exitFail {
		t.Errorf("exit %d, want %d", code, exitFail)
	}
	for _, want := range []string{config + ":8:17: rulesets[0].rules[0].query: ", config + ":12:17: rulesets[0].rules[1].query: "} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr %q lacks %q", stderr, want)
		}
	}
}

// TestMatchWorkedExample is the acceptance line: the sample story
// raises the three rules, each with highlights.
func TestMatchWorkedExample(t *testing.T) {
	stdout, stderr, code := runCLI(t, "", "match", "-json", "testdata/unsc-request-2024-02-03.txt")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var raised []string
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var m matchJSON
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if m.ItemID != "unsc-request-2024-02-03" || len(m.Highlights) == 0 || len(m.Countries) == 0 {
			t.Errorf("match %+v lacks item id, highlights or countries", m)
		}
		raised = append(raised, m.RuleID)
	}
	for _, id := range []string{"unsc-meeting-requested", "diplomat-summoned", "protest-note"} {
		if !slices.Contains(raised, id) {
			t.Errorf("%s not raised (raised %v)", id, raised)
		}
	}
}

func TestMatchJSONL(t *testing.T) {
	in := `{"id":"a","title":"МИД Польши вызвал посла России","lang":"ru"}

{"id":"b","text":"The weather in Geneva was fine"}
not json
{"title":"no id"}
{"id":"c","title":"Iraq summons US charge d'affaires over strikes","colour":"red"}
`
	stdout, stderr, code := runCLI(t, in, "match", "-json", "-")
	if code != exitFail {
		t.Errorf("exit %d, want %d: bad lines are a failure", code, exitFail)
	}
	for _, want := range []string{"stdin:4: ", "stdin:5: an item needs an id", `stdin:6: json: unknown field "colour"`} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr %q lacks %q", stderr, want)
		}
	}
	// The good lines are still matched.
	var m matchJSON
	if err := json.Unmarshal([]byte(strings.SplitN(stdout, "\n", 2)[0]), &m); err != nil {
		t.Fatalf("stdout %q: %v", stdout, err)
	}
	if m.ItemID != "a" || m.RuleID != "diplomat-summoned" || m.Highlights[0].Field != "title" {
		t.Errorf("first match %+v", m)
	}
	if got := string([]byte(`МИД Польши вызвал посла России`)[m.Highlights[0].Start:m.Highlights[0].End]); got != m.Highlights[0].Text {
		t.Errorf("highlight offsets %d-%d give %q, text says %q", m.Highlights[0].Start, m.Highlights[0].End, got, m.Highlights[0].Text)
	}
}

func TestMatchHuman(t *testing.T) {
	stdout, _, code := runCLI(t, "", "match", "testdata/unsc-request-2024-02-03.txt")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"unsc-meeting-requested [high]", "«", "countries: "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestRuleTests(t *testing.T) {
	tests := writeFile(t, "t.yaml", `tests:
  - name: summons in Russian
    title: МИД России вызвал временную поверенную в делах Великобритании
    raise: [diplomat-summoned]
    not_raise: [unsc]
  - name: a football squad is not a summons
    title: Нападающий вызван в сборную России
    not_raise: [diplomacy]
  - name: wrong on purpose
    title: The Security Council met on Monday and adopted a resolution
    raise: [unsc-meeting-requested]
`)
	stdout, stderr, code := runCLI(t, "", "test", tests)
	if code != exitFail {
		t.Errorf("exit %d, want %d", code, exitFail)
	}
	if !strings.Contains(stdout, "2 passed, 1 failed") {
		t.Errorf("stdout %q", stdout)
	}
	if !strings.Contains(stderr, tests+":9:5: tests[2]: wrong on purpose: unsc-meeting-requested not raised") {
		t.Errorf("stderr %q", stderr)
	}
}

func TestRuleTestsBadFile(t *testing.T) {
	tests := writeFile(t, "t.yaml", "tests:\n  - name: x\n    titel: y\n")
	_, stderr, code := runCLI(t, "", "test", tests)
	if code != exitFail || !strings.Contains(stderr, tests+":3:5: tests[0].titel: unknown key") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
