"""Every C++ dependency of this project, taken from Debian's -dev packages.

WORKSPACE calls `system_libraries()`. Each repository keeps the name and the labels that
the upstream project uses in its own Bazel build, so a user with network access can swap
one for upstream sources (an http_archive of the same name) by editing WORKSPACE alone.

To expose another library: add its upstream label and pkg-config module below
(`ls /usr/lib/*/pkgconfig` lists the modules installed).
"""

load("//third_party:system_cc_repository.bzl", "system_cc_repository")

# Upstream Abseil label -> pkg-config module. Debian's modules are named after the
# CMake targets, which match the Bazel target names except in absl/flags.
_ABSEIL = {
    "absl/algorithm": ["absl_algorithm"],
    "absl/algorithm:container": ["absl_algorithm_container"],
    "absl/base": ["absl_base"],
    "absl/base:core_headers": ["absl_core_headers"],
    "absl/cleanup": ["absl_cleanup"],
    "absl/container:btree": ["absl_btree"],
    "absl/container:fixed_array": ["absl_fixed_array"],
    "absl/container:flat_hash_map": ["absl_flat_hash_map"],
    "absl/container:flat_hash_set": ["absl_flat_hash_set"],
    "absl/container:inlined_vector": ["absl_inlined_vector"],
    "absl/container:node_hash_map": ["absl_node_hash_map"],
    "absl/debugging:failure_signal_handler": ["absl_failure_signal_handler"],
    "absl/debugging:stacktrace": ["absl_stacktrace"],
    "absl/debugging:symbolize": ["absl_symbolize"],
    "absl/flags:flag": ["absl_flags"],
    "absl/flags:marshalling": ["absl_flags_marshalling"],
    "absl/flags:parse": ["absl_flags_parse"],
    "absl/flags:reflection": ["absl_flags_reflection"],
    "absl/flags:usage": ["absl_flags_usage"],
    "absl/functional:any_invocable": ["absl_any_invocable"],
    "absl/functional:bind_front": ["absl_bind_front"],
    "absl/functional:function_ref": ["absl_function_ref"],
    "absl/hash": ["absl_hash"],
    "absl/memory": ["absl_memory"],
    "absl/numeric:bits": ["absl_bits"],
    "absl/numeric:int128": ["absl_int128"],
    "absl/random": ["absl_random_random"],
    "absl/status": ["absl_status"],
    "absl/status:statusor": ["absl_statusor"],
    "absl/strings": ["absl_strings"],
    "absl/strings:cord": ["absl_cord"],
    "absl/strings:str_format": ["absl_str_format"],
    "absl/synchronization": ["absl_synchronization"],
    "absl/time": ["absl_time"],
    "absl/types:optional": ["absl_optional"],
    "absl/types:span": ["absl_span"],
    "absl/types:variant": ["absl_variant"],
    "absl/utility": ["absl_utility"],
}

def system_libraries():
    """Declares the repositories for Abseil, GoogleTest, Benchmark, protobuf, gRPC, MPI, oneTBB, Boost and nlohmann/json."""
    system_cc_repository(
        name = "com_google_absl",
        debian_package = "libabsl-dev",
        libraries = _ABSEIL,
    )

    # Upstream googletest folds gMock into :gtest. Debian ships static archives, whose
    # order on the link line matters, so each target carries its whole link line.
    system_cc_repository(
        name = "com_google_googletest",
        debian_package = "libgtest-dev and libgmock-dev",
        libraries = {
            ":gtest": ["gmock", "gtest"],
            ":gtest_main": ["gtest_main", "gmock", "gtest"],
        },
    )

    # Debian ships libbenchmark_main.a without a pkg-config module of its own.
    system_cc_repository(
        name = "com_google_benchmark",
        debian_package = "libbenchmark-dev",
        libraries = {
            ":benchmark": ["benchmark"],
            ":benchmark_main": ["benchmark"],
        },
        extra_linkopts = {
            ":benchmark_main": ["-lbenchmark_main"],
        },
    )

    # :protoc and :cc_toolchain are what Bazel's native proto_library and
    # cc_proto_library look for in @com_google_protobuf.
    system_cc_repository(
        name = "com_google_protobuf",
        debian_package = "libprotobuf-dev and protobuf-compiler",
        libraries = {
            ":protobuf": ["protobuf"],
            ":protobuf_lite": ["protobuf-lite"],
        },
        executables = {
            ":protoc": "protoc",
        },
        build_extras = {
            "//third_party/protobuf:cc_toolchain.BUILD": "",
        },
    )

    system_cc_repository(
        name = "com_github_grpc_grpc",
        debian_package = "libgrpc++-dev and protobuf-compiler-grpc",
        libraries = {
            ":grpc++": ["grpc++", "protobuf"],
        },
        executables = {
            "src/compiler:grpc_cpp_plugin": "grpc_cpp_plugin",
        },
        files = {
            "//third_party/grpc:cc_grpc_library.bzl": "bazel/cc_grpc_library.bzl",
        },
    )

    # Open MPI's C interface (its C++ bindings are deprecated). `mpirun` comes from
    # Debian's openmpi-bin.
    system_cc_repository(
        name = "org_open_mpi",
        debian_package = "libopenmpi-dev",
        libraries = {
            ":mpi": ["ompi-c"],
        },
    )

    # oneTBB, the thread pool a C++ user would pick instead of ThreadPool: a peer in
    # //benchmarks:thread_pool_benchmark, never a dependency of the libraries.
    system_cc_repository(
        name = "com_github_oneapi_onetbb",
        debian_package = "libtbb-dev",
        libraries = {
            ":tbb": ["tbb"],
        },
    )

    # Boost's header-only libraries (Debian ships no pkg-config module for them), under
    # rules_boost's labels: peers in the benchmarks, never dependencies of the libraries.
    system_cc_repository(
        name = "boost",
        debian_package = "libboost-dev",
        libraries = {
            ":interprocess": [],
            ":process": [],
        },
        extra_linkopts = {
            ":interprocess": ["-lrt", "-pthread"],
            ":process": ["-pthread"],
        },
    )

    # JSON, for every file the project writes or reads in it (base/json.h).
    system_cc_repository(
        name = "nlohmann_json",
        debian_package = "nlohmann-json3-dev",
        libraries = {
            ":json": ["nlohmann_json"],
        },
    )
