-- wrk script for bench/compare.sh: the same JSON PUT putcheck sends.
wrk.method = "PUT"
wrk.body = '{"name":"widget","size":3,"tags":["a","b"]}'
wrk.headers["Content-Type"] = "application/json"
