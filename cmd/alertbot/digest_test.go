package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestDigestCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	config := writeFile(t, "digest.yaml", `
storage: sqlite:`+db+`
rulesets:
  - id: diplomacy
    title: Diplomacy
    rules:
      - {id: diplomat-summoned, title: Diplomat summoned, severity: high, query: 'summon* NEAR/5 ambassador'}
subscriptions:
  - chat: telegram:42
    rulesets: [diplomacy]
    digest: {cron: "0 8 * * *", tz: Europe/Moscow}
`)
	t.Setenv("TELEGRAM_BOT_TOKEN", "")
	for _, args := range [][]string{{"digest"}, {"digest", "-chat"}, {"digest", "-chat", "telegram:42", "extra"}, {"digest", "-chat", "telegram:42", "-since", "-1h"}} {
		if _, stderr, code := runCLI(t, "", append(args, "-config", config)...); code != exitUsage {
			t.Errorf("alertbot %v: exit %d, want %d (stderr %q)", args, code, exitUsage, stderr)
		}
	}

	stdout, stderr, code := runCLI(t, "", "digest", "-config", config, "-chat", "telegram:42", "-since", "24h")
	if code != exitOK || !strings.Contains(stdout, "Digest ·") || !strings.Contains(stdout, "MSK · nothing raised") {
		t.Errorf("digest: exit %d, stdout %q, stderr %q; want a quiet digest in the chat's zone", code, stdout, stderr)
	}

	_, stderr, code = runCLI(t, "", "digest", "-config", config, "-chat", "telegram:42", "-send")
	if code != exitFail || !strings.Contains(stderr, "no telegram token") {
		t.Errorf("digest -send without a token: exit %d, stderr %q; want 1 and the reason", code, stderr)
	}
	_, stderr, code = runCLI(t, "", "digest", "-config", config, "-chat", "whatsapp:1")
	if code != exitFail || !strings.Contains(stderr, `chat "whatsapp:1"`) {
		t.Errorf("digest of a bad chat: exit %d, stderr %q", code, stderr)
	}
}
