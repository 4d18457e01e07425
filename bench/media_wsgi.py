"""The site as its proxy serves it: /media/ from MEDIA_ROOT, everything else by Django.

Production settings leave uploaded pictures to the web server (the README's nginx
`location /media/`, 30 days) or to an S3 bucket; a benchmark that serves gunicorn alone
would answer 404 for every picture. This WSGI app puts the same answer in front of Django
for the benchmarks: `support.start_gunicorn(env, port, app="bench.media_wsgi")`.
"""

import os

from whitenoise import WhiteNoise

from newsportal.wsgi import application as site

MEDIA_SECONDS = 30 * 24 * 3600  # nginx's `expires 30d`

# autorefresh: pictures stored after the start (the bench's own uploads) are found too.
application = WhiteNoise(site, autorefresh=True, max_age=MEDIA_SECONDS)
application.add_files(os.environ["MEDIA_ROOT"], prefix="media/")
