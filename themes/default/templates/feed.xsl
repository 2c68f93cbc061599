<?xml version="1.0" encoding="UTF-8"?>
{# What a browser shows for a feed of the site (RSS or Atom: each one names this stylesheet in
   an xml-stylesheet instruction; feed readers ignore it). Rendered like a page, in the site's
   language; the XSLT then fills in the feed's own title, address and entries. No inline
   script or style, nothing from another site: the theme's stylesheets (the site's colour
   in accent.css, as base.html links it) and subscribe.js. #}
{# The date's words, in the order the language writes them; spaces must be xsl:text. #}
{% set day %}</xsl:text><xsl:value-of select="$day"/><xsl:text>{% endset %}
{% set month %}</xsl:text><xsl:value-of select="$month-name"/><xsl:text>{% endset %}
{% set year %}</xsl:text><xsl:value-of select="$year"/><xsl:text>{% endset %}
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom" exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>
  <xsl:variable name="title" select="/rss/channel/title | /atom:feed/atom:title"/>
  <xsl:variable name="description" select="/rss/channel/description | /atom:feed/atom:subtitle"/>
  <xsl:variable name="self" select="/rss/channel/atom:link[@rel='self']/@href | /atom:feed/atom:link[@rel='self']/@href"/>
  <xsl:variable name="months" select="'{{ t('feed_style_months') }} '"/>

  <xsl:template match="/">
    <html lang="{{ site.language }}"{% if site.accent_color %} class="has-accent"{% endif %}>
      <head>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="color-scheme" content="light dark"/>
        {% if site.accent_color %}
        <meta name="theme-color" content="{{ site.accent_color }}"/>
        {% endif %}
        <meta name="robots" content="noindex"/>
        <title><xsl:value-of select="$title"/> · {{ t('feed_style_kicker') }}</title>
        <link rel="stylesheet" href="{{ '/theme/style.css' | url }}"/>
        {% if site.accent_color %}
        <link rel="stylesheet" href="{{ '/theme/accent.css' | url }}"/>
        {% endif %}
        {% if favicon %}
        <link rel="icon" href="{{ favicon.url | url }}" type="{{ favicon.type }}"/>
        {% else %}
        <link rel="icon" href="{{ '/theme/favicon.svg' | url }}" type="image/svg+xml"/>
        {% endif %}
      </head>
      <body class="kind-feed">
        <a class="skip-link" href="#main">{{ t('skip') }}</a>
        <header class="site-header">
          <div class="wrap site-header__inner">
            <a class="site-title" href="{{ '/' | url }}">
              {%- if logo %}<img class="site-logo" src="{{ logo.url | url }}" alt="{{ site.title }}"{% if logo.width %} width="{{ logo.width }}" height="{{ logo.height }}"{% endif %}/>
              {%- else %}{{ site.title }}{% endif -%}
            </a>
            {% if site.description %}<p class="site-tagline">{{ site.description }}</p>{% endif %}
          </div>
        </header>
        <main id="main" class="wrap">
          <header class="listing-header">
            <p class="kicker">{{ t('feed_style_kicker') }}</p>
            <h1><xsl:value-of select="$title"/></h1>
            <xsl:if test="$description != $title">
              <p class="listing-header__intro"><xsl:value-of select="$description"/></p>
            </xsl:if>
          </header>
          <section class="feed-about subscribe" aria-labelledby="feed-about">
            <h2 id="feed-about">{{ t('feed_style_what') }}</h2>
            <p>{{ t('feed_style_explain') }}</p>
            <div class="subscription__feed">
              <label class="subscription__format" for="feed-address">{{ t('feed_style_address') }}</label>
              <input class="subscription__address" id="feed-address" type="text" readonly="readonly" value="{$self}"/>
              <button class="subscription__copy button" type="button" data-copy="feed-address" hidden="hidden">{{ t('subscribe_copy') }}</button>
            </div>
            <p class="subscribe__status" role="status" data-copied="{{ t('subscribe_copied') }}"></p>
            <p>{{ t('subscribe_readers') }}</p>
            <p><a href="{{ subscribe_url | url }}">{{ t('feed_style_more') }}</a></p>
          </section>
          <section class="feed-entries" aria-labelledby="feed-entries">
            <h2 id="feed-entries">{{ t('feed_style_latest') }}</h2>
            <xsl:choose>
              <xsl:when test="/rss/channel/item | /atom:feed/atom:entry">
                <ul class="feed-entries__list">
                  <xsl:apply-templates select="/rss/channel/item | /atom:feed/atom:entry"/>
                </ul>
              </xsl:when>
              <xsl:otherwise><p class="empty">{{ t('feed_style_empty') }}</p></xsl:otherwise>
            </xsl:choose>
          </section>
        </main>
        <footer class="site-footer">
          <div class="wrap site-footer__inner">
            <p class="site-footer__title">{{ site.title }}</p>
            <p><a href="{{ '/' | url }}">{{ t('feed_style_back') }}</a> · <a href="{{ subscribe_url | url }}">{{ t('subscribe') }}</a></p>
          </div>
        </footer>
        <script src="{{ '/theme/subscribe.js' | url }}" defer="defer"></script>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item | atom:entry">
    <li class="feed-entry">
      <xsl:call-template name="date">
        <xsl:with-param name="value" select="pubDate | atom:published | atom:updated[not(../atom:published)]"/>
      </xsl:call-template>
      <xsl:text> </xsl:text>
      <a href="{link | atom:link[not(@rel) or @rel='alternate']/@href}"><xsl:value-of select="title | atom:title"/></a>
    </li>
  </xsl:template>

  <!-- RSS writes « Tue, 12 Mar 2024 09:30:00 +0100 », Atom « 2024-03-12T09:30:00+01:00 ». -->
  <xsl:template name="date">
    <xsl:param name="value"/>
    <xsl:variable name="rss" select="contains($value, ',')"/>
    <xsl:variable name="day">
      <xsl:choose>
        <xsl:when test="$rss"><xsl:value-of select="number(substring($value, 6, 2))"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="number(substring($value, 9, 2))"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="number">
      <xsl:choose>
        <xsl:when test="$rss">
          <xsl:value-of select="string-length(substring-before('JanFebMarAprMayJunJulAugSepOctNovDec', substring($value, 9, 3))) div 3 + 1"/>
        </xsl:when>
        <xsl:otherwise><xsl:value-of select="number(substring($value, 6, 2))"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="year">
      <xsl:choose>
        <xsl:when test="$rss"><xsl:value-of select="substring($value, 13, 4)"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="substring($value, 1, 4)"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="month-name">
      <xsl:call-template name="word">
        <xsl:with-param name="words" select="$months"/>
        <xsl:with-param name="index" select="$number"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:if test="$value">
      <time datetime="{$year}-{format-number($number, '00')}-{format-number($day, '00')}"><xsl:text>{{ t('feed_style_date') | replace('{day}', day) | replace('{month}', month) | replace('{year}', year) }}</xsl:text></time>
    </xsl:if>
  </xsl:template>

  <!-- The index-th word (from 1) of a list of words each followed by a space. -->
  <xsl:template name="word">
    <xsl:param name="words"/>
    <xsl:param name="index"/>
    <xsl:choose>
      <xsl:when test="$index &lt;= 1"><xsl:value-of select="substring-before($words, ' ')"/></xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="word">
          <xsl:with-param name="words" select="substring-after($words, ' ')"/>
          <xsl:with-param name="index" select="$index - 1"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
