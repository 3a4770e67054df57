import type { Article } from "../src/archive.js";
import { onePagePer } from "../src/eleventy/page-template.js";

// One page per article.
export const { data, render } = onePagePer<Article>("render.articles", "article", "layouts/article.njk");
