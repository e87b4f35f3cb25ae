"""A repository rule that binds C++ libraries installed by Debian into Bazel.

Each library is declared by the label upstream's own Bazel build uses (for example
`@com_google_absl//absl/status:statusor`) and the pkg-config modules that provide it.
The rule asks pkg-config for the compile and link flags when the repository is set up,
so no link line is ever copied by hand, and writes a `cc_library` per label. BUILD files
in this project therefore read exactly like those of a project that builds Abseil, gRPC
and friends from source; switching to upstream sources is an edit to WORKSPACE alone.

Headers live in /usr/include, which the compiler searches (as system headers, so their
warnings are not ours) without any help from Bazel.
"""

def _split_label(label):
    """Splits "absl/status:statusor" into ("absl/status", "statusor").

    "absl/strings" means "absl/strings:strings", as in any BUILD file; ":grpc++" names a
    target in the repository's root package.
    """
    if ":" in label:
        package, name = label.split(":", 1)
    else:
        package, name = label, label.rsplit("/", 1)[-1]
    return package, name

def _pkg_config_flags(rctx, pkg_config, modules):
    """Returns (defines, linkopts, include_dirs) for `modules`, or fails with what to install.

    include_dirs are header directories outside /usr/include (Open MPI keeps its headers
    under /usr/lib): the compiler does not search them unless told.
    """
    if not modules:
        return [], [], []  # header-only, in /usr/include (Boost): nothing to ask for
    result = rctx.execute([pkg_config, "--cflags", "--libs"] + modules)
    if result.return_code != 0:
        fail(("pkg-config could not find {modules} for @{repo}: {error}\n" +
              "Install Debian's {package} (./bazelw installs it for you).").format(
            modules = " ".join(modules),
            repo = rctx.name,
            error = result.stderr.strip(),
            package = rctx.attr.debian_package,
        ))
    defines = []
    linkopts = []
    include_dirs = []
    for flag in result.stdout.replace("\n", " ").split(" "):
        if not flag:
            continue
        elif flag == "-I/usr/include":
            continue
        elif flag.startswith("-I"):
            include_dirs.append(flag[2:])
        elif flag.startswith("-D"):
            defines.append(flag[2:])
        elif flag.startswith(("-l", "-L", "-Wl,", "-pthread")):
            linkopts.append(flag)
        else:
            fail("pkg-config gave @{repo} the flag '{flag}', which this rule does not map. ".format(
                repo = rctx.name,
                flag = flag,
            ) + "Teach _pkg_config_flags in third_party/system_cc_repository.bzl about it.")
    return defines, linkopts, include_dirs

def _cc_library_rule(name, defines, linkopts, includes):
    """`includes`: header directories linked into the package, searched by dependents."""
    return """cc_library(
    name = "{name}",
    defines = {defines},
    linkopts = {linkopts},
    hdrs = glob([{globs}]),
    includes = {includes},
    visibility = ["//visibility:public"],
)
""".format(
        name = name,
        defines = repr(defines),
        linkopts = repr(linkopts),
        globs = ", ".join(['"{}/**"'.format(include) for include in includes]),
        includes = repr(includes),
    )

def _executable_rule(rctx, name, program):
    """A target that runs the system's `program`, for use as a Bazel tool."""
    path = rctx.which(program)
    if path == None:
        fail("@{repo} needs the program '{program}' on PATH. Install Debian's {package}.".format(
            repo = rctx.name,
            program = program,
            package = rctx.attr.debian_package,
        ))
    script = "_" + name + ".sh"
    return script, "#!/bin/sh\nexec '{}' \"$@\"\n".format(path), """sh_binary(
    name = "{name}",
    srcs = ["{script}"],
    visibility = ["//visibility:public"],
)
""".format(name = name, script = script)

def _system_cc_repository_impl(rctx):
    pkg_config = rctx.which("pkg-config")
    if pkg_config == None:
        fail("pkg-config is needed to find system libraries. Install Debian's pkg-config.")

    build_files = {}  # package -> list of rule texts

    for label, modules in rctx.attr.libraries.items():
        package, name = _split_label(label)
        defines, linkopts, include_dirs = _pkg_config_flags(rctx, pkg_config, modules)
        linkopts = rctx.attr.extra_linkopts.get(label, []) + linkopts
        includes = []
        for index, directory in enumerate(include_dirs):
            include = "_{}_include_{}".format(name, index)
            rctx.symlink(directory, (package + "/" if package else "") + include)
            includes.append(include)
        build_files.setdefault(package, []).append(_cc_library_rule(name, defines, linkopts, includes))

    for label, program in rctx.attr.executables.items():
        package, name = _split_label(label)
        script, script_text, rule = _executable_rule(rctx, name, program)
        rctx.file((package + "/" if package else "") + script, script_text, executable = True)
        build_files.setdefault(package, []).append(rule)

    for source, package in rctx.attr.build_extras.items():
        build_files.setdefault(package, []).append(rctx.read(source))

    for source, path in rctx.attr.files.items():
        rctx.symlink(source, path)
        package = path.rsplit("/", 1)[0] if "/" in path else ""
        build_files.setdefault(package, [])

    header = "# Generated by //third_party:system_cc_repository.bzl from Debian's {}.\n\n".format(
        rctx.attr.debian_package,
    )
    for package, rules in build_files.items():
        path = (package + "/" if package else "") + "BUILD.bazel"
        rctx.file(path, header + "\n".join(rules))
    if "" not in build_files:
        rctx.file("BUILD.bazel", header)
    rctx.file("WORKSPACE", 'workspace(name = "{}")\n'.format(rctx.name))

system_cc_repository = repository_rule(
    implementation = _system_cc_repository_impl,
    doc = "Binds a Debian-installed C++ library into Bazel under its upstream labels.",
    attrs = {
        "debian_package": attr.string(
            mandatory = True,
            doc = "The Debian package(s) to name in error messages.",
        ),
        "libraries": attr.string_list_dict(
            doc = "Upstream label (package:name) -> pkg-config modules that provide it.",
        ),
        "extra_linkopts": attr.string_list_dict(
            doc = "Label -> link flags placed first, for libraries Debian ships without a .pc file.",
        ),
        "executables": attr.string_dict(
            doc = "Upstream label -> program on PATH that the label runs.",
        ),
        "build_extras": attr.label_keyed_string_dict(
            allow_files = True,
            doc = "File of extra BUILD rules -> package whose BUILD file they are appended to.",
        ),
        "files": attr.label_keyed_string_dict(
            allow_files = True,
            doc = "File -> path inside the repository (for .bzl files upstream users load).",
        ),
    },
    environ = ["PATH", "PKG_CONFIG_PATH"],
    configure = True,
    local = True,
)
