from __future__ import annotations

import json
from pathlib import Path

from tests.dbkey import connect


def test_delete_sweep_and_audit_from_the_command_line(cli, home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("demo").returncode == 0
    refused = cli("privacy", "delete", "林晓雯")
    assert refused.returncode == 65 and "--yes" in refused.stderr
    r = cli("privacy", "delete", "林晓雯", "--yes", "--reason", "candidate asked")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["rows"]["interviewsession"] == 1
    assert cli("privacy", "delete", "林晓雯", "--yes").returncode == 66
    assert cli("privacy", "sweep", "--dry-run").returncode == 0
    ok = cli("privacy", "audit-verify")
    assert ok.returncode == 0 and "chain intact" in ok.stdout
    out = tmp_path / "audit.jsonl"
    assert cli("privacy", "audit-export", str(out)).returncode == 0
    actions = [json.loads(line)["action"] for line in out.read_text("utf-8").splitlines()]
    assert "delete-candidate" in actions
    con = connect(home)
    con.execute("UPDATE auditlog SET detail = '{}' WHERE seq = 1")
    con.commit()
    con.close()
    bad = cli("privacy", "audit-verify")
    assert bad.returncode == 1 and "seq [1]" in bad.stdout
