"""The rendition pipeline's settings, without Pillow: they name the files an export links in.

An export works out each picture's rendition key (export/site.py) for every
story it publishes, even when every file already exists; reading these here
keeps Pillow and the image workers out of an edit that makes no picture.
"""

JPEG_QUALITY = 82
WEBP_QUALITY = 80
# libwebp effort 0-6. Measured on a 1600 px rendition: method 2 encodes in a
# third of the time of 3-6 (34 vs ~100 ms) for files ~2% larger, which is what
# keeps a 24 MP rendition set inside the 0.4 s budget.
WEBP_METHOD = 2
# Bump when the pipeline changes output (resampling, colour, XMP layout) so
# caches made by an older version are not mistaken for current ones.
PIPELINE_VERSION = 3  # 2: transparent pictures get PNG instead of JPEG; 3: alt text in XMP
PNG_COMPRESS_LEVEL = 6
# Bump when the crops' output changes.
CROP_VERSION = 1
