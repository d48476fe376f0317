"""Reports what the executor delivered: a secret seen from setup(), and a request through the proxy."""

import os
import urllib.request

from hangar_runtime.processor import Processor


class Predictor(Processor):
    def setup(self):
        self.secret_in_setup = os.environ.get("TEST_SECRET")

    def predict(self, url=None):
        print(f"setup saw {self.secret_in_setup}; proxy {os.environ.get('HTTPS_PROXY')}")
        if url:
            with urllib.request.urlopen(url, timeout=5) as r:
                print(f"through the proxy: {r.read().decode()}")
        return None
