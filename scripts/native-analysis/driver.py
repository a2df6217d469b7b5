#!/usr/bin/env python3
"""Stand-in for the native-image driver (not on Maven Central): reads the native-image.args Quarkus writes
(quarkus.native.sources-only), turns the driver's options into the builder's own, and runs the builder's
points-to analysis only (-H:+ReturnAfterAnalysis). Usage: driver.py NATIVE_SOURCES_DIR BUILDER_COMMAND...
"""
import os
import subprocess
import sys
import uuid
import zipfile

sources = os.path.abspath(sys.argv[1])
builder = sys.argv[2:]
args = open(os.path.join(sources, 'native-image.args')).read().split()
jvm, options, name, jar = [], [], 'app', None
i = 0
while i < len(args):
    arg = args[i]
    value = arg.split('=', 1)[1] if '=' in arg else ''
    if arg.startswith('-J'):
        jvm.append(arg[2:])
    elif arg.startswith('-H:'):
        options.append(arg)
    elif arg.startswith('--features='):
        options.append('-H:Features=' + value)
    elif arg.startswith('--enable-url-protocols='):
        options.append('-H:EnableURLProtocols=' + value)
    elif arg.startswith('--enable-monitoring='):
        options.append('-H:EnableMonitoringFeatures=' + value)
    elif arg.startswith('--initialize-at-run-time='):
        options += ['-H:ClassInitialization=%s:run_time' % c for c in value.split(',')]
    elif arg.startswith('--initialize-at-build-time='):
        options += ['-H:ClassInitialization=%s:build_time' % c for c in value.split(',')]
    elif arg == '--link-at-build-time':
        options.append('-H:LinkAtBuildTime=')
    elif arg == '--exclude-config':
        i += 2  # two operands; only the image's configuration files, which the analysis does not need
    elif arg == '-jar':
        jar = args[i + 1]
        i += 1
    elif not arg.startswith('-'):
        name = arg
    # other driver options (fallback, native access, -march) do not change the analysis
    i += 1

with zipfile.ZipFile(os.path.join(sources, jar)) as runner:
    manifest, key = {}, None
    for line in runner.read('META-INF/MANIFEST.MF').decode().splitlines():
        if line.startswith(' ') and key:
            manifest[key] += line[1:]
        elif ':' in line:
            key, val = line.split(':', 1)
            manifest[key] = val.strip()
classpath = [os.path.join(sources, jar)] + [os.path.join(sources, p) for p in manifest.get('Class-Path', '').split()]
command = builder + ['-imagecp', ':'.join(classpath), '-H:Class=' + manifest['Main-Class'], '-H:Name=' + name,
                     '-H:Path=' + os.path.join(sources, 'analysis'), '-H:+ReturnAfterAnalysis',
                     '-H:ImageBuildID=' + str(uuid.uuid4())] + options
os.chdir(sources)
sys.exit(subprocess.call(command, env=dict(os.environ, BUILDER_JVM_OPTIONS=' '.join(jvm))))
