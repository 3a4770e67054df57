import type { Redirect } from "../src/archive.js";
import { onePagePer } from "../src/eleventy/page-template.js";

// A page at every URL the archive published that no article has now.
export const { data, render } = onePagePer<Redirect>("render.redirects", "redirect", "layouts/redirect.njk");
