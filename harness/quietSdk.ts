/**
 * Loaded by mocha before any test (.mocharc.json "require"). The AWS SDK warns once per process that its
 * 2027 releases will need Node 22; on this project's Node 20 machines that warning is noise in every
 * test run and in the demo, so it is switched off with the SDK's own setting.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
