// structured-data-testing-tool ships no type declarations: the calls tests/structured-data.ts makes.
declare module "structured-data-testing-tool" {
  const sdtt: { structuredDataTest(html: string, options: { presets: unknown[] }): Promise<{ passed: unknown[]; failed: { test: string }[]; warnings: { test: string }[] }> };
  export default sdtt;
}
declare module "structured-data-testing-tool/presets.js" {
  const presets: { Google: unknown; Twitter: unknown; Facebook: unknown };
  export default presets;
}
