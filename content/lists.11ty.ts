import type { ListPage } from "../src/archive.js";
import { onePagePer } from "../src/eleventy/page-template.js";

// Section pages and the year, month and day archives.
export const { data, render } = onePagePer<ListPage>("render.listPages", "listPage", "layouts/list.njk");
