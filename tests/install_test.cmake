# install_test.cmake - install libfsmeta to an empty prefix, then build and run the examples against that prefix
# alone: examples/c and examples/cpp with find_package(fsmeta), examples/c again with pkg-config.
#   cmake -DBUILD_DIR=.. -DSOURCE_DIR=.. -DWORK_DIR=.. -DC_COMPILER=cc -DCXX_COMPILER=c++ -P install_test.cmake
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "failed (${rc}): ${cmd}\n${out}\n${err}")
  endif()
  set(run_out "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})

# The installed files, with the soname chain as symlinks.
file(GLOB_RECURSE libs LIST_DIRECTORIES false ${prefix}/*/libfsmeta.so*)
set(libdir "")
foreach(l IN LISTS libs)
  get_filename_component(libdir ${l} DIRECTORY)
endforeach()
foreach(f include/fsmeta.h include/fsmeta.hpp)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
file(READ_SYMLINK ${libdir}/libfsmeta.so l0)
file(READ_SYMLINK ${libdir}/libfsmeta.so.1 l1)
if(NOT l0 STREQUAL "libfsmeta.so.1" OR NOT l1 STREQUAL "libfsmeta.so.1.0.0" OR IS_SYMLINK ${libdir}/libfsmeta.so.1.0.0)
  message(FATAL_ERROR "bad links: libfsmeta.so -> ${l0}, libfsmeta.so.1 -> ${l1}")
endif()
foreach(f pkgconfig/fsmeta.pc cmake/fsmeta/fsmetaConfig.cmake cmake/fsmeta/fsmetaConfigVersion.cmake)
  if(NOT EXISTS ${libdir}/${f})
    message(FATAL_ERROR "not installed: ${libdir}/${f}")
  endif()
endforeach()
message(STATUS "installed to ${prefix}")

# Move the prefix: the package files must find it from their own location.
set(moved ${WORK_DIR}/moved)
file(RENAME ${prefix} ${moved})
string(REPLACE "${prefix}" "${moved}" libdir "${libdir}")

# find_package(fsmeta): C and C++ examples. Only the moved prefix is on the search path.
foreach(ex c cpp)
  set(b ${WORK_DIR}/build-${ex})
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/examples/${ex} -B ${b} -DCMAKE_PREFIX_PATH=${moved}
      -DCMAKE_C_COMPILER=${C_COMPILER} -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
  run(${CMAKE_COMMAND} --build ${b})
  run(${b}/fsmeta_example_${ex} --quick)
  message(STATUS "examples/${ex} (find_package):\n${run_out}")
endforeach()

# A version the package does not satisfy is refused (SameMajorVersion).
file(MAKE_DIRECTORY ${WORK_DIR}/vcheck)
file(WRITE ${WORK_DIR}/vcheck/CMakeLists.txt
  "cmake_minimum_required(VERSION 3.16)\nproject(v C)\nfind_package(fsmeta 2 QUIET)\nif(fsmeta_FOUND)\n  message(FATAL_ERROR \"fsmeta 2 accepted\")\nendif()\nfind_package(fsmeta 1.0 REQUIRED)\n")
run(${CMAKE_COMMAND} -S ${WORK_DIR}/vcheck -B ${WORK_DIR}/vcheck/build -DCMAKE_PREFIX_PATH=${moved} -DCMAKE_C_COMPILER=${C_COMPILER})

# pkg-config: the C example with a plain compiler command.
find_program(PKG_CONFIG pkg-config)
if(PKG_CONFIG)
  set(ENV{PKG_CONFIG_PATH} ${libdir}/pkgconfig)
  run(${PKG_CONFIG} --cflags --libs fsmeta)
  string(STRIP "${run_out}" flags)
  separate_arguments(flags UNIX_COMMAND "${flags}")
  run(${PKG_CONFIG} --variable=libdir fsmeta)
  string(STRIP "${run_out}" pc_libdir)
  run(${C_COMPILER} -std=c11 -Wall -Werror -O2 ${SOURCE_DIR}/examples/c/fsmeta_example.c ${flags}
      -Wl,-rpath,${pc_libdir} -o ${WORK_DIR}/fsmeta_example_pc)
  run(${WORK_DIR}/fsmeta_example_pc --quick)
  message(STATUS "examples/c (pkg-config ${flags}): ok")
else()
  message(WARNING "pkg-config not found: the pkg-config build is not tested")
endif()
