"""Offline stand-in for @rules_java//java:defs.bzl: forwards to Bazel 4.2.3's native rules.

This project has no Java; Bazel's embedded tools load this file all the same.
"""

java_binary = native.java_binary
java_import = native.java_import
java_library = native.java_library
java_lite_proto_library = native.java_lite_proto_library
java_package_configuration = native.java_package_configuration
java_plugin = native.java_plugin
java_proto_library = native.java_proto_library
java_runtime = native.java_runtime
java_test = native.java_test
java_toolchain = native.java_toolchain
