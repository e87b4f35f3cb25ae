#!/usr/bin/env bash
# Stand-in for Bazel's coverage tools, which this offline build cannot download.
echo "bazel coverage is not available in this offline build:" \
     "Bazel's coverage tools (remote_coverage_tools) are replaced by a stand-in." >&2
exit 1
