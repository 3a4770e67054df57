import { buildSite, BuildError } from "../build.js";
import { parseArgs } from "node:util";

const USAGE = "usage: npm run build [-- --out DIR] [-- --articles DIR]";

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ options: { out: { type: "string", default: "_site" }, articles: { type: "string" }, help: { type: "boolean" } }, strict: true }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    const result = await buildSite({ out: values.out!, articlesDir: values.articles });
    console.log(`Built ${result.pages} pages of ${result.articles} articles into ${values.out} in ${(result.ms / 1000).toFixed(2)} s`);
    return 0;
  } catch (error) {
    if (error instanceof BuildError) {
      console.error(error.message);
      return error.exitCode;
    }
    throw error;
  }
}

process.exitCode = await main();
