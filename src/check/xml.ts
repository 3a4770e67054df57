import { XMLValidator } from "fast-xml-parser";
import { codePoint } from "../text.js";
import type { Problem } from "./problem.js";
import type { BuiltSite } from "./site.js";

// Characters XML 1.0 does not allow, escaped or not: a feed reader stops at the first.
const NOT_XML = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

/** Every XML file (feeds, sitemap) must be well-formed: a lenient parser reads past what a feed reader rejects. */
export function checkXml(site: BuiltSite): Problem[] {
  const problems: Problem[] = [];
  for (const file of site.files) {
    if (file.kind !== "xml") continue;
    const bad = NOT_XML.exec(file.source);
    if (bad) {
      const line = file.source.slice(0, bad.index).split("\n").length;
      problems.push({ page: file.url, rule: "xml", message: `${line}: expected characters XML allows, found ${codePoint(bad[0])}` });
      continue;
    }
    const result = XMLValidator.validate(file.source);
    if (result !== true) problems.push({ page: file.url, rule: "xml", message: `${result.err.line}:${result.err.col}: expected well-formed XML, found ${result.err.msg}` });
  }
  return problems;
}
