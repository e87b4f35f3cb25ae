"""cc_grpc_library, compiled with the system's protoc and grpc_cpp_plugin.

Users load it as upstream gRPC publishes it:

    load("@com_github_grpc_grpc//bazel:cc_grpc_library.bzl", "cc_grpc_library")

    proto_library(name = "echo_proto", srcs = ["echo.proto"])
    cc_proto_library(name = "echo_cc_proto", deps = [":echo_proto"])
    cc_grpc_library(
        name = "echo_cc_grpc",
        srcs = [":echo_proto"],
        grpc_only = True,
        deps = [":echo_cc_proto"],
    )

The messages come from Bazel's native cc_proto_library; this rule adds the service code
(`echo.grpc.pb.h`, `echo.grpc.pb.cc`). It supports the form above: one proto_library in
the same package, with `grpc_only = True`, which is also the form upstream recommends.
"""

def _grpc_import_path(proto, proto_info):
    """The path protoc knows `proto` by, e.g. "ipc/echo.proto"."""
    root = proto_info.proto_source_root
    if root in ("", "."):
        return proto.short_path
    if proto.path.startswith(root + "/"):
        return proto.path[len(root) + 1:]
    return proto.short_path

def _generate_grpc_code_impl(ctx):
    proto_info = ctx.attr.src[ProtoInfo]
    headers = []
    sources = []
    import_paths = []
    expected_prefix = ctx.label.package + "/" if ctx.label.package else ""
    for proto in proto_info.direct_sources:
        import_path = _grpc_import_path(proto, proto_info)
        if ctx.label.workspace_name or not import_path.startswith(expected_prefix):
            fail("cc_grpc_library {}: the proto_library must sit in the same package, ".format(
                ctx.label,
            ) + "with no import_prefix or strip_import_prefix.")
        stem = import_path[len(expected_prefix):-len(".proto")]
        headers.append(ctx.actions.declare_file(stem + ".grpc.pb.h"))
        sources.append(ctx.actions.declare_file(stem + ".grpc.pb.cc"))
        import_paths.append(import_path)

    args = ctx.actions.args()
    args.add("--plugin=protoc-gen-grpc=" + ctx.executable._plugin.path)
    args.add("--grpc_out=" + ctx.bin_dir.path)

    # protoc reads the parsed protos (and everything they import) from the descriptor
    # sets that proto_library already produced, so no include paths are needed.
    args.add_joined(
        "--descriptor_set_in",
        proto_info.transitive_descriptor_sets,
        join_with = ctx.configuration.host_path_separator,
    )
    args.add_all(import_paths)
    ctx.actions.run(
        executable = ctx.executable._protoc,
        tools = [ctx.executable._plugin],
        inputs = proto_info.transitive_descriptor_sets,
        outputs = headers + sources,
        arguments = [args],
        mnemonic = "GrpcCppCodegen",
        progress_message = "Generating gRPC C++ code for {}".format(ctx.label),
    )
    return [
        DefaultInfo(files = depset(headers + sources)),
        OutputGroupInfo(headers = depset(headers), sources = depset(sources)),
    ]

_generate_grpc_code = rule(
    implementation = _generate_grpc_code_impl,
    attrs = {
        "src": attr.label(mandatory = True, providers = [ProtoInfo]),
        "_protoc": attr.label(
            default = "@com_google_protobuf//:protoc",
            executable = True,
            cfg = "host",
        ),
        "_plugin": attr.label(
            default = "@com_github_grpc_grpc//src/compiler:grpc_cpp_plugin",
            executable = True,
            cfg = "host",
        ),
    },
)

def cc_grpc_library(name, srcs, deps, grpc_only = False, **kwargs):
    """The gRPC service code for one proto_library, as a cc_library.

    Args:
      name: the cc_library's name (by convention `x_cc_grpc`).
      srcs: a list holding one proto_library label.
      deps: the cc_proto_library of that proto_library.
      grpc_only: must be True, as upstream recommends: messages come from `deps`.
      **kwargs: passed to the cc_library (visibility, testonly, ...).
    """
    if not grpc_only or len(srcs) != 1:
        fail("cc_grpc_library {}: use grpc_only = True with srcs = [one proto_library] ".format(
            name,
        ) + "and deps = [its cc_proto_library].")
    codegen = name + "_codegen"
    _generate_grpc_code(
        name = codegen,
        src = srcs[0],
        visibility = ["//visibility:private"],
    )
    native.filegroup(
        name = name + "_headers",
        srcs = [":" + codegen],
        output_group = "headers",
        visibility = ["//visibility:private"],
    )
    native.filegroup(
        name = name + "_sources",
        srcs = [":" + codegen],
        output_group = "sources",
        visibility = ["//visibility:private"],
    )
    native.cc_library(
        name = name,
        srcs = [":" + name + "_sources"],
        hdrs = [":" + name + "_headers"],
        deps = deps + ["@com_github_grpc_grpc//:grpc++"],
        **kwargs
    )
