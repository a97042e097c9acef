// The app's version, set by the bundler (scripts/build.mjs defines __APP_VERSION__ from package.json).
declare const __APP_VERSION__: string | undefined;

export const buildVersion = typeof __APP_VERSION__ === "string" ? __APP_VERSION__ : "0.0.0-dev";
