"""Report: figures, an HTML and a Markdown report and a CSV, from a study's store alone."""

from rnncap.report.build import ReportFiles, build_report
from rnncap.report.results import StudyResults, load_results

__all__ = ["ReportFiles", "StudyResults", "build_report", "load_results"]
