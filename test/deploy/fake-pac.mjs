#!/usr/bin/env node
// A stand-in for the pac executable, for the deploy tests. It appends one JSON line per call to
// $FAKE_PAC_LOG (argv, and whether the secret variable was set), behaves like pac for the verbs
// the deploy uses, and fails on demand: FAKE_PAC_FAIL=<verb> (e.g. "auth create", "paportal upload")
// exits 1 printing FAKE_PAC_FAIL_MESSAGE.
import { appendFileSync, cpSync, existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const args = process.argv.slice(2);
const verb = `${args[0] ?? ""} ${args[1] ?? ""}`.trim();
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const listFiles = (dir) =>
  readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => statSync(join(dir, f)).isFile())
    .map((f) => f.split("\\").join("/"))
    .sort();

const record = {
  argv: args,
  spnSecretSet: Boolean(process.env.PAC_CLI_SPN_SECRET),
  agent: process.env.PP_TOOLS_AUTOMATION_AGENT ?? null,
};
if (verb === "paportal upload") {
  const path = flag("--path");
  record.uploadHasWebsiteYml = Boolean(path && existsSync(join(path, "website.yml")));
  record.uploadFiles = path ? listFiles(path) : [];
}
if (process.env.FAKE_PAC_LOG) appendFileSync(process.env.FAKE_PAC_LOG, JSON.stringify(record) + "\n");

if (process.env.FAKE_PAC_FAIL === verb) {
  console.error(process.env.FAKE_PAC_FAIL_MESSAGE ?? "Error: something went wrong");
  process.exit(1);
}
switch (verb) {
  case "auth create":
    console.log(`Connected as ${flag("--applicationId") ?? "user"}`);
    console.log(`Authentication profile created`);
    break;
  case "org who":
    console.log("Connected to... Contoso Events");
    console.log("Organization Information");
    console.log("  Environment ID:      5f0a3c1e-1111-4222-8333-444455556666");
    break;
  case "paportal download": {
    const path = flag("--path");
    const source = process.env.FAKE_PAC_SITE;
    if (!path || !source) {
      console.error("fake pac: --path and FAKE_PAC_SITE are needed");
      process.exit(2);
    }
    const folder = source.split(/[\\/]/).filter(Boolean).pop();
    cpSync(source, join(path, folder), { recursive: true });
    console.log(`Downloading website ${flag("--websiteId")}… Done.`);
    break;
  }
  case "paportal upload":
    if (!record.uploadHasWebsiteYml) {
      console.error("Error: website.yml not found in the upload path");
      process.exit(1);
    }
    console.log("Power Pages website upload succeeded in 1 secs.");
    break;
  case "auth delete":
    console.log(`Profile ${flag("--name")} deleted`);
    break;
  default:
    console.error(`fake pac: unexpected command ${args.join(" ")}`);
    process.exit(3);
}
