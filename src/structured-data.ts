import type { ArticlePage } from "./archive.js";
import { dateTime } from "./dates.js";
import { photoCrops, type Photo } from "./photos.js";
import { absoluteUrl, type SiteMetadata } from "./site.js";
import { HOME_URL, PATHS, SEARCH_URL } from "./urls.js";

/** The site's logo and card (content/assets/), at the sizes their files have. */
export const SITE_LOGO = { url: PATHS.logo, width: 512, height: 512 };
export const SITE_CARD = { url: PATHS.siteCard, width: 1200, height: 630 };

/** The picture social sites show for a page: its photo cut to 16:9, or the site's card; Twitter's large card only for a photo. */
export function socialCard(photo: Photo | null, site: SiteMetadata): { url: string; width: number; height: number; alt: string; twitterCard: string } {
  if (!photo) return { ...SITE_CARD, alt: site.title, twitterCard: "summary" };
  const { url, width, height } = photoCrops(photo)[0];
  return { url, width, height, alt: photo.alt, twitterCard: "summary_large_image" };
}

function organization(site: SiteMetadata): object {
  return {
    "@type": "Organization",
    name: site.publisher,
    url: absoluteUrl(site, HOME_URL),
    logo: { "@type": "ImageObject", url: absoluteUrl(site, SITE_LOGO.url), width: SITE_LOGO.width, height: SITE_LOGO.height },
  };
}

/** schema.org data for the home page: the site, with its search, and the organisation that publishes it. */
export function siteStructuredData(site: SiteMetadata): object[] {
  const website = {
    "@context": "https://schema.org",
    "@type": "WebSite",
    name: site.title,
    url: absoluteUrl(site, HOME_URL),
    inLanguage: site.language,
    potentialAction: {
      "@type": "SearchAction",
      target: { "@type": "EntryPoint", urlTemplate: `${absoluteUrl(site, SEARCH_URL)}?q={search_term_string}` },
      "query-input": "required name=search_term_string",
    },
  };
  return [website, { "@context": "https://schema.org", ...organization(site) }];
}

/**
 * schema.org data for an article page: the NewsArticle itself and the
 * BreadcrumbList that matches the visible breadcrumb Home > Section > headline.
 */
export function articleStructuredData(article: ArticlePage, site: SiteMetadata): object[] {
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
    // Google asks for 16:9, 4:3 and 1:1 crops; an article without a photo shows the site's card.
    image: article.photo ? photoCrops(article.photo).map((crop) => absoluteUrl(site, crop.url)) : [absoluteUrl(site, SITE_CARD.url)],
    author: { "@type": "Organization", name: article.source },
    publisher: organization(site),
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
