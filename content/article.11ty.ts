import type { Article } from "../src/archive.js";

// One page per article. A TypeScript template rather than Nunjucks front
// matter: Eleventy 3.1 compiles a Nunjucks permalink and body anew for every
// page, while this permalink is a plain function and the layout is compiled once.
export const data = {
  pagination: { data: "render.articles", size: 1, alias: "article" },
  permalink: ({ article }: { article: Article }) => article.url,
  layout: "layouts/article.njk",
};

export function render(): string {
  return "";
}
