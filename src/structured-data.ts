import type { Article } from "./archive.js";
import { dateTime } from "./dates.js";
import { absoluteUrl, type SiteMetadata } from "./site.js";
import { HOME_URL } from "./urls.js";

/**
 * schema.org data for an article page: the NewsArticle itself and the
 * BreadcrumbList that matches the visible breadcrumb Home > Section > headline.
 */
export function articleStructuredData(article: Article, site: SiteMetadata): object[] {
  const url = absoluteUrl(site, article.url);
  const published = dateTime(article.date);
  const newsArticle = {
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    headline: article.headline,
    description: article.summary,
    datePublished: published,
    dateModified: dateTime(article.modified),
    articleSection: article.section,
    inLanguage: site.language,
    url,
    mainEntityOfPage: { "@type": "WebPage", "@id": url },
    author: { "@type": "Organization", name: article.source },
    publisher: { "@type": "Organization", name: site.publisher, url: absoluteUrl(site, HOME_URL) },
  };
  const crumbs = [
    { name: "Home", url: absoluteUrl(site, HOME_URL) },
    { name: article.section, url: absoluteUrl(site, article.sectionUrl) },
    { name: article.headline, url },
  ];
  const breadcrumbList = {
    "@context": "https://schema.org",
    "@type": "BreadcrumbList",
    itemListElement: crumbs.map((crumb, i) => ({ "@type": "ListItem", position: i + 1, name: crumb.name, item: crumb.url })),
  };
  return [newsArticle, breadcrumbList];
}
