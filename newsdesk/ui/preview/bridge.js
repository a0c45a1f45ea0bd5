// The live preview's page-side script: applies body patches, swaps the header,
// reveals a block, and reports clicked blocks. Only the preview adds it (PageView.extra_head).
(function () {
  "use strict";
  var CLICK_PREFIX = "newsdesk:block:";
  var FRAME_PREFIX = "newsdesk:frame:";

  // Report, from the next animation frame, that the page as it is now is being drawn:
  // the pane sends no further patch until then (one patch per frame), and the
  // benchmark matches the report's time against the frame Qt paints.
  function reportFrame(version) {
    // The callback's argument is the frame's own start time: the same for everything
    // drawn in one frame.
    requestAnimationFrame(function (frameStart) {
      console.log(FRAME_PREFIX + version + ":" + (performance.timeOrigin + frameStart));
    });
  }

  function storyBody() {
    return document.getElementById("story-body");
  }

  // A body block by id; an element elsewhere that happens to share the id is not one.
  function blockOf(body, id) {
    var el = document.getElementById(id);
    return el && el.parentNode === body ? el : null;
  }

  function fromMarkup(html) {
    var t = document.createElement("template");
    t.innerHTML = html;
    return t.content.firstElementChild;
  }

  // Make the live element `a` the same as the detached `b` (same tag), changing only what
  // differs: a text node typed into keeps its node, and its siblings and the elements
  // around it are left alone. Chromium then repaints (and the compositor redraws) the
  // changed text, not the whole block: a key in a tall paragraph cost the display
  // compositor about three times what it costs in a short one when the block was replaced.
  function morph(a, b) {
    var i, attr;
    for (i = a.attributes.length - 1; i >= 0; i--) {
      attr = a.attributes[i];
      if (!b.hasAttribute(attr.name)) a.removeAttribute(attr.name);
    }
    for (i = 0; i < b.attributes.length; i++) {
      attr = b.attributes[i];
      if (a.getAttribute(attr.name) !== attr.value) a.setAttribute(attr.name, attr.value);
    }
    var ac = a.firstChild, bc = b.firstChild;
    while (bc) {
      var nextB = bc.nextSibling;
      if (!ac) {
        a.appendChild(bc);
      } else if (ac.nodeType === bc.nodeType && (ac.nodeType === 3 || ac.nodeType === 8)) {
        if (ac.data !== bc.data) ac.data = bc.data;
        ac = ac.nextSibling;
      } else if (ac.nodeType === 1 && bc.nodeType === 1 && ac.tagName === bc.tagName) {
        if (!ac.isEqualNode(bc)) morph(ac, bc);
        ac = ac.nextSibling;
      } else {
        a.insertBefore(bc, ac);
        var dead = ac;
        ac = ac.nextSibling;
        dead.remove();
      }
      bc = nextB;
    }
    while (ac) {
      var after = ac.nextSibling;
      ac.remove();
      ac = after;
    }
  }

  window.newsdesk = {
    // p = {remove: [id], after: id|null, put: [[id, markup|null]], footnotes?: markup|"",
    //      reading?: text, v?: version of the body text, reported with the next frame}
    patch: function (p) {
      if (p.v !== undefined) reportFrame(p.v);
      var body = storyBody();
      if (!body) return -1;
      var i, el;
      // Blocks to remove stay until the run is in place: a changed block that takes the
      // place of a removed one of the same kind is made from it (morph), not swapped in.
      var removing = {};
      for (i = 0; i < p.remove.length; i++) removing[p.remove[i]] = true;
      var cursor = p.after ? blockOf(body, p.after) : null;
      for (i = 0; i < p.put.length; i++) {
        var id = p.put[i][0], markup = p.put[i][1];
        el = blockOf(body, id);
        // Kept blocks stay the same DOM nodes; only blocks out of place are moved.
        var nextEl = cursor ? cursor.nextElementSibling : body.firstElementChild;
        if (markup !== null) {
          var fresh = fromMarkup(markup);
          if (el) {
            el.replaceWith(fresh);
            el = fresh;
          } else if (
            nextEl && removing[nextEl.id] === true && nextEl.tagName === fresh.tagName
          ) {
            removing[nextEl.id] = false;
            morph(nextEl, fresh);
            el = nextEl;
          } else {
            el = fresh;
          }
        }
        if (el !== nextEl) body.insertBefore(el, cursor ? cursor.nextSibling : body.firstChild);
        cursor = el;
      }
      for (i = 0; i < p.remove.length; i++) {
        if (removing[p.remove[i]] !== true) continue;
        el = blockOf(body, p.remove[i]);
        if (el) el.remove();
      }
      if (p.footnotes !== undefined) {
        var old = blockOf(body, "story-footnotes");
        if (old) old.remove();
        if (p.footnotes) body.appendChild(fromMarkup(p.footnotes));
      }
      if (p.reading !== undefined) {
        var rt = document.getElementById("story-reading-time");
        if (rt) rt.textContent = p.reading;
      }
      return p.put.length + p.remove.length;
    },

    // The header and the topics list under the body, as the template renders them.
    setHeader: function (html, title, tagsHtml) {
      var head = document.querySelector("header.story-head");
      if (head && html) head.replaceWith(fromMarkup(html));
      document.title = title;
      var body = storyBody();
      var tags = document.querySelector("article ul.story-tags");
      if (tags) tags.remove();
      if (body && tagsHtml) body.after(fromMarkup(tagsHtml));
      return true;
    },

    // The hero figure (markup, or "" for none) and the structured data, after a picture changed.
    setHero: function (html, jsonLd) {
      var body = storyBody();
      var old = document.querySelector("article figure.figure-hero");
      if (old) old.remove();
      if (body && html) body.before(fromMarkup(html));
      var ld = document.querySelector('script[type="application/ld+json"]');
      if (ld && jsonLd) ld.textContent = jsonLd;
      return true;
    },

    // Bring a block into view, unless some of it is already on screen. In a block taller than
    // the window, bring the place `at` (0 to 1 down the block: the cursor's) into view instead.
    reveal: function (id, smooth, at) {
      var el = id ? document.getElementById(id) : document.querySelector("header.story-head");
      if (!el) return false;
      var r = el.getBoundingClientRect();
      var h = window.innerHeight;
      var behavior = smooth ? "smooth" : "auto";
      if (r.height > h && at > 0) {
        placeKept = { id: id, at: at };
        return showPlace(el, at, behavior);
      }
      placeKept = null;
      if (r.top < h && r.bottom > 0 && r.height > 0) return false;
      el.scrollIntoView({ block: "start", behavior: behavior });
      return true;
    },
  };

  // The place in a tall block the cursor last asked for: kept in view while the page reflows
  // (the pane resized, a picture laid out), until the reader scrolls the preview themselves.
  var placeKept = null;

  function showPlace(el, at, behavior) {
    var r = el.getBoundingClientRect();
    var h = window.innerHeight;
    var y = r.top + at * r.height;
    if (y >= h * 0.1 && y < h * 0.9) return false;
    window.scrollBy({ top: y - h / 3, behavior: behavior });
    return true;
  }

  if (window.ResizeObserver) {
    new ResizeObserver(function () {
      var el = placeKept ? document.getElementById(placeKept.id) : null;
      if (el) showPlace(el, placeKept.at, "auto");
    }).observe(document.documentElement);
  }
  ["wheel", "keydown", "mousedown", "touchstart"].forEach(function (name) {
    window.addEventListener(name, function () { placeKept = null; }, true);
  });

  // The first frame of a freshly loaded page (its version is the pane's to know).
  window.addEventListener("load", function () {
    reportFrame("load");
  });

  document.addEventListener(
    "click",
    function (e) {
      var target = e.target instanceof Element ? e.target : e.target.parentElement;
      var blk = target ? target.closest(".blk") : null;
      if (blk && blk.parentNode === storyBody()) console.log(CLICK_PREFIX + blk.id);
    },
    true
  );
})();
