"""exercise(): the targets every graded exercise has.

    exercise(
        name = "q3_create_process",
        starter = "create_process.cc",
        solution = "solution/create_process.cc",
        grader = "create_process_test.cc",
        grader_deps = [...],
    )

defines
    :<name>         the learner's version, built from the starter file they edit
    :solution       the reference solution
    :grade          grades the learner's version (manual: run it by name)
    :solution_test  the reference must pass the grader    (in //...)
    :starter_test   the untouched starter must fail it    (in //...)

A grader is a gtest binary run as `grader <program> <pass|fail>`: it grades <program>
and passes when the grade is the one expected. It gets main() and the grade report from
//exercises/grading (see grading.h).
"""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_test")

def exercise(name, starter, solution, grader, grader_deps, deps = [], test_tags = [], bad_flags = [],
             student_checks_flags = False, grader_data = []):
    """grader_data: programs or files the grader needs beside the program it grades.
    test_tags: added to the three grading tests, e.g. ["exclusive"] for a grader that
    measures speed. bad_flags: flags out of range (e.g. "--tasks=0") that the starter and
    the reference must both refuse (exit 2, naming the flag); only the reference, if
    checking them is part of the exercise (student_checks_flags)."""
    cc_binary(
        name = name,
        srcs = [starter],
        deps = deps,
    )
    cc_binary(
        name = "solution",
        srcs = [solution],
        deps = deps,
    )

    # Starter and reference alike refuse a flag they do not know (exit 2).
    native.sh_test(
        name = "refuses_bad_flags_test",
        size = "small",
        srcs = ["//base/cli:refuses_bad_flags.sh"],
        args = ["$(rootpath :{})".format(name), "$(rootpath :solution)", "--"] + [
            "'$(rootpath :{}) {}'".format(program, flag)
            for program in (["solution"] if student_checks_flags else [name, "solution"])
            for flag in bad_flags
        ],
        data = [":" + name, ":solution"],
    )

    # (test name, program graded, expected grade, extra tags)
    graded = [
        ("grade", ":" + name, "pass", ["manual"]),
        ("solution_test", ":solution", "pass", []),
        ("starter_test", ":" + name, "fail", []),
    ]
    for test_name, program, expected, tags in graded:
        cc_test(
            name = test_name,
            size = "small",
            srcs = [grader],
            args = [
                "$(rootpath {})".format(program),
                expected,
            ],
            data = [program] + grader_data,
            tags = tags + test_tags,
            deps = grader_deps + ["//exercises/grading"],
        )

def wrong_answers(answers, grader, grader_deps, solution = None, deps = [], test_tags = [], only_speed_tells = [],
                  grader_data = []):
    """A zoo of known wrong answers, each a program the grader must fail, with its message.

    answers: {name: message}, one per answer. The grader must fail the answer, and one of
    the problems it reports must contain `message` (no single quotes): the sentence that
    tells a learner what this mistake is.
    An answer is testdata/<name>.cc, or testdata/<name>.diff: the reference `solution`
    with one mistake put in, applied with `patch` at build time. A diff shows the mistake
    and nothing else, and one that no longer applies to the reference fails the build.
    only_speed_tells: names of answers that only their speed gives away: where speed
    cannot be judged (a sanitized build, no second CPU free) their test says so and passes.

    defines, per answer, :<name> (testonly) and :<name>_test (in //...).
    """
    for wrong, message in answers.items():
        if "'" in message:
            fail("wrong_answers: the message for {} must not contain a single quote".format(wrong))
        source = "testdata/{}.cc".format(wrong)
        diff = "testdata/{}.diff".format(wrong)
        if native.glob([diff]):
            if not solution:
                fail("wrong_answers: {} is a diff; name the solution it applies to".format(diff))
            native.genrule(
                name = wrong + "_source",
                testonly = True,
                srcs = [solution, diff],
                outs = [source],
                # patch refuses the sandbox's symlinks: it edits a copy.
                cmd = ("cp $(location {}) $@ && chmod u+w $@ && patch --quiet --force " +
                       "--no-backup-if-mismatch --reject-file=- $@ $(location {})").format(solution, diff),
            )
        cc_binary(
            name = wrong,
            testonly = True,
            srcs = [source],
            deps = deps,
        )
        cc_test(
            name = wrong + "_test",
            size = "small",
            srcs = [grader],
            args = [
                "$(rootpath :{})".format(wrong),
                "fail_when_timed" if wrong in only_speed_tells else "fail",
                "'--expect_message={}'".format(message),
            ],
            data = [":" + wrong] + grader_data,
            tags = test_tags,
            deps = grader_deps + ["//exercises/grading"],
        )
