import { readFileSync } from "node:fs";
import { FileSystemConfigLoader, HtmlValidate, type ConfigData } from "html-validate";
import type { Problem } from "./problem.js";
import type { SiteFile } from "./site.js";

/** The committed configuration, at the project's top level. */
export const HTML_VALIDATE_CONFIG = new URL("../../.htmlvalidate.json", import.meta.url);

/**
 * One validator for every page: html-validate compiles its configuration and
 * element metadata once per instance, the costly part of a run.
 */
export function createValidator(configFile: URL | string = HTML_VALIDATE_CONFIG): HtmlValidate {
  const config = JSON.parse(readFileSync(configFile, "utf8")) as ConfigData;
  // `root` keeps a configuration file lying above the checked folder from changing the rules.
  return new HtmlValidate(new FileSystemConfigLoader({ ...config, root: true }));
}

export async function validatePage(validator: HtmlValidate, page: SiteFile): Promise<Problem[]> {
  const report = await validator.validateString(page.source, page.file);
  return report.results.flatMap((result) =>
    result.messages.map((m) => ({ page: page.url, rule: `html/${m.ruleId}`, message: `${m.line}:${m.column}: ${m.message}` })),
  );
}
