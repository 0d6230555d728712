# PyInstaller runtime hook: stand-ins for the TensorFlow extension modules the bundle leaves out.
#
# `import tensorflow` imports TF Lite's interpreter, analyzer and metrics wrappers and the remote
# profiler client, whose native code (libpywrap_tflite_common.so and _pywrap_profiler_plugin.so,
# 33 MB stripped) Vision Agent never runs: .tflite models go through OpenCV DNN, and nothing
# profiles a TensorFlow server. On Linux, packaging/vision_agent.spec leaves the files of the
# modules in LEFT_OUT out of the bundle; this hook answers their imports, only when the real module
# is absent (it is the last finder), with a module whose every name raises when it is called.
import sys
from importlib.machinery import ModuleSpec

LEFT_OUT = (
    "tensorflow.python.profiler.internal._pywrap_profiler_plugin",
    "tensorflow.lite.python._pywrap_analyzer_wrapper",
    "tensorflow.lite.python._pywrap_modify_model_interface",
    "tensorflow.lite.python._pywrap_string_util",
    "tensorflow.lite.python._pywrap_tensorflow_interpreter_wrapper",
    "tensorflow.lite.python._pywrap_tensorflow_lite_calibration_wrapper",
    "tensorflow.lite.python._pywrap_tensorflow_lite_metrics_wrapper",
    "tensorflow.lite.python.format_converter_wrapper_pybind11",
    "tensorflow.lite.python.pywrap_genai_ops",
)


class _LeftOutName:
    """A name of a left-out module: calling it raises; its attributes are more of the same."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> "_LeftOutName":
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return _LeftOutName(f"{self._name}.{attribute}")

    def __call__(self, *args, **kwargs):
        raise RuntimeError(f"{self._name} is not part of the Vision Agent bundle")


class _LeftOutFinder:
    """Finds (and loads) the modules named in LEFT_OUT as empty modules of _LeftOutName."""

    @staticmethod
    def find_spec(fullname, path=None, target=None):
        return ModuleSpec(fullname, _LeftOutFinder) if fullname in LEFT_OUT else None

    @staticmethod
    def create_module(spec):
        return None

    @staticmethod
    def exec_module(module):
        def name_of_left_out_module(attribute: str) -> _LeftOutName:
            if attribute.startswith("__"):
                raise AttributeError(attribute)
            return _LeftOutName(f"{module.__name__}.{attribute}")

        module.__getattr__ = name_of_left_out_module


sys.meta_path.append(_LeftOutFinder)
