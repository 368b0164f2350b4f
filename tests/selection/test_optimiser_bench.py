"""`flask bench allocation` on a small synthetic call: the final line's shape and coverage."""
import re

LINE = re.compile(r"^allocation optimal=(yes|no) seconds=\d+\.\d\d served=(\d+) greedy_served=(\d+) "
                  r"priority_served=(\d+) greedy_priority_served=(\d+)$")


def test_bench_prints_the_summary_line_and_beats_the_greedy(app):
    runner = app.test_cli_runner()
    seeded = runner.invoke(args=["seed", "synthetic", "--municipalities", "50", "--items", "15", "--providers", "5"])
    assert seeded.exit_code == 0, seeded.output
    result = runner.invoke(args=["bench", "allocation", "--tenant", "synthetic", "--fiscal-year", "2024"])
    assert result.exit_code == 0, result.output
    match = LINE.match(result.output.strip().splitlines()[-1])
    assert match, result.output
    optimal, served, greedy_served, priority, greedy_priority = match.groups()
    assert optimal == "yes"
    assert int(priority) >= int(greedy_priority) and int(served) >= int(greedy_served)


def test_bench_unknown_tenant_is_a_clear_error(app):
    result = app.test_cli_runner().invoke(args=["bench", "allocation", "--tenant", "nowhere"])
    assert result.exit_code != 0 and "nowhere" in result.output
