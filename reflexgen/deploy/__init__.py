"""`reflexgen deploy`: publish the output folder to an rsync destination, an S3 bucket or a
git branch, sending only what changed."""
