"""The source of the claims: the blog post the theory follows, cited in full."""

#: Authors, title, venue, date and address of the source blog post.
BLOG = (
    'Molei Tao and Yuqing Wang, "Fun facts about large learning rates: how large is large, '
    "and what tricks they can do?\", It's Dynamical (blog), 2022-07-25, "
    "https://itsdynamical.github.io/article/2022/07/25/large-learning-rate.html"
)
