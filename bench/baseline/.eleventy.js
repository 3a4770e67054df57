// A bare Eleventy 3 site as a typical user would make it: one Markdown file
// per article, a Nunjucks layout, section list pages and year pages.
const PAGE_SIZE = 20;

export default function (eleventyConfig) {
  // The benchmark keeps its inputs under a git-ignored folder.
  eleventyConfig.setUseGitIgnore(false);

  eleventyConfig.addFilter("ymd", (date) => date.toISOString().slice(0, 10).replaceAll("-", "/"));
  eleventyConfig.addFilter("isoDate", (date) => date.toISOString().slice(0, 10));

  eleventyConfig.addCollection("articles", (api) =>
    api.getFilteredByGlob("**/articles/*.md").sort((a, b) => b.date - a.date || a.data.title.localeCompare(b.data.title)),
  );

  // One entry per page of each section's newest-first list.
  eleventyConfig.addCollection("sectionPages", (api) => {
    const bySection = new Map();
    for (const item of api.getFilteredByGlob("**/articles/*.md").sort((a, b) => b.date - a.date)) {
      const name = item.data.section;
      if (!bySection.has(name)) bySection.set(name, []);
      bySection.get(name).push(item);
    }
    const pages = [];
    for (const [name, items] of [...bySection].sort(([a], [b]) => a.localeCompare(b))) {
      const count = Math.ceil(items.length / PAGE_SIZE);
      for (let i = 0; i < count; i++) {
        pages.push({ name, number: i + 1, count, items: items.slice(i * PAGE_SIZE, (i + 1) * PAGE_SIZE) });
      }
    }
    return pages;
  });

  eleventyConfig.addCollection("years", (api) => {
    const byYear = new Map();
    for (const item of api.getFilteredByGlob("**/articles/*.md").sort((a, b) => b.date - a.date)) {
      const year = item.date.getUTCFullYear();
      if (!byYear.has(year)) byYear.set(year, []);
      byYear.get(year).push(item);
    }
    return [...byYear].map(([year, items]) => ({ year, items }));
  });

  return {
    dir: { includes: "_includes" },
    htmlTemplateEngine: "njk",
  };
}
