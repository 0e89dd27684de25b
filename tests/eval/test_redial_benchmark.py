"""`convrec eval redial` on a few real ReDial turns over the small index: a fast end-to-end check."""

from __future__ import annotations

import json


def test_benchmark_reports_every_configuration_with_plots(db, data_root, tmp_path, capsys):
    from convrec.cli import main

    out = tmp_path / "report.json"
    code = main(
        [
            "eval",
            "redial",
            "--db",
            str(db),
            "--data",
            str(data_root),
            "--split",
            "valid",
            "--protocol",
            "dedup",
            "--limit",
            "12",
            "--lambdas",
            "0,0.5",
            "--quiet",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    report = json.loads(out.read_text())
    assert set(report["configs"]) == {"popularity", "embedding", "system", "system λ=0.5"}
    system = report["configs"]["system"]
    assert system["turns"] == 12 and system["instances"] >= 12
    assert 0.0 <= system["recall_at_10"] <= system["recall_at_50"] <= 1.0
    assert report["configs"]["system λ=0.5"]["ild_at_10"] > system["ild_at_10"]
    assert out.with_suffix(".png").is_file() and (tmp_path / "report-lambda.png").is_file()
    assert 0.0 <= report["never_mentioned"] <= 1.0
    assert "R@10" in capsys.readouterr().out
