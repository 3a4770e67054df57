import type { ListPage } from "../src/archive.js";

// Section pages and the year, month and day archives; a TypeScript template
// for the reason given in article.11ty.ts.
export const data = {
  pagination: { data: "render.listPages", size: 1, alias: "listPage" },
  permalink: ({ listPage }: { listPage: ListPage }) => listPage.url,
  layout: "layouts/list.njk",
};

export function render(): string {
  return "";
}
